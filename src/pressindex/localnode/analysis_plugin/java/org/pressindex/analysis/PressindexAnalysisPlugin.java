package org.pressindex.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Gives the minimal "integ-test" distribution the parts of the analysis-common and rest-root
 * modules that pressindex relies on, under the same names and with the same parameters, so one
 * index mapping works unchanged here and on a stock Elasticsearch (which never loads this plugin).
 */
public class PressindexAnalysisPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    // Set in createComponents, read lazily by GET /; the REST layer is wired before the node starts.
    private volatile ClusterService clusterService;

    @Override
    public Collection<?> createComponents(PluginServices services) {
        this.clusterService = services.clusterService();
        return List.of();
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
        NormalizationFilters.register(filters);
        StemmingFilters.register(filters);
        CompoundWordFilters.register(filters);
        TokenSelectionFilters.register(filters);
        SynonymFilters.register(filters);
        filters.put("word_delimiter_graph", WordDelimiterGraphFilterFactory::new);
        SecurityIndexAnalysis.registerFilters(filters);
        return filters;
    }

    @Override
    public List<PreConfiguredTokenFilter> getPreConfiguredTokenFilters() {
        List<PreConfiguredTokenFilter> filters = new ArrayList<>();
        filters.addAll(NormalizationFilters.preConfigured());
        filters.addAll(StemmingFilters.preConfigured());
        filters.addAll(TokenSelectionFilters.preConfigured());
        filters.add(WordDelimiterGraphFilterFactory.preConfigured());
        return filters;
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> tokenizers = new TreeMap<>(BasicTokenizers.providers());
        SecurityIndexAnalysis.registerTokenizers(tokenizers);
        return tokenizers;
    }

    @Override
    public List<PreConfiguredTokenizer> getPreConfiguredTokenizers() {
        return BasicTokenizers.preConfigured();
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        return LanguageAnalyzers.providers();
    }

    @Override
    public List<PreBuiltAnalyzerProviderFactory> getPreBuiltAnalyzerProviderFactories() {
        return LanguageAnalyzers.preBuilt();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        Supplier<ClusterState> clusterState = () -> clusterService.state();
        return List.of(new RestRootAction(settings, clusterState));
    }
}
