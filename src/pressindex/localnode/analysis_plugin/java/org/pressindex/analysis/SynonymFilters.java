package org.pressindex.analysis;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.synonym.WordnetSynonymParser;
import org.apache.lucene.util.CharsRef;
import org.apache.lucene.util.CharsRefBuilder;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService.IndexCreationContext;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.IndexVersions;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.CustomAnalyzer;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/**
 * {@code synonym} and {@code synonym_graph} from inline {@code synonyms} or a {@code synonyms_path} file, in Solr
 * (default) or WordNet {@code format}, with {@code expand}, {@code lenient} and {@code updateable}.
 * As in analysis-common the rules are analyzed with the chain that precedes the filter, so the factory is only
 * usable after {@link #getChainAwareTokenFilterFactory} has specialised it for one analyzer.
 * {@code synonyms_set} (rules stored in the .synonyms system index) is not supported here.
 */
final class SynonymFilters {

    private static final Logger LOGGER = LogManager.getLogger(SynonymFilters.class);

    private SynonymFilters() {}

    static void register(Map<String, AnalysisProvider<TokenFilterFactory>> filters) {
        filters.put("synonym", requiresAnalysisSettings((i, e, n, s) -> new Synonym(i, e, n, s, false)));
        filters.put("synonym_graph", requiresAnalysisSettings((i, e, n, s) -> new Synonym(i, e, n, s, true)));
    }

    static final class Synonym extends AbstractTokenFilterFactory {
        private final boolean graph;
        private final String format;
        private final boolean expand;
        private final boolean lenient;
        private final Settings settings;
        private final Environment environment;
        private final AnalysisMode analysisMode;

        Synonym(IndexSettings indexSettings, Environment env, String name, Settings settings, boolean graph) {
            super(name, settings);
            this.graph = graph;
            this.settings = settings;
            this.environment = env;
            if (settings.hasValue("synonyms") == false
                && settings.hasValue("synonyms_set") == false
                && settings.hasValue("synonyms_path") == false) {
                throw new IllegalArgumentException(
                    "synonym requires either `synonyms`, `synonyms_set` or `synonyms_path` to be configured"
                );
            }
            this.expand = settings.getAsBoolean("expand", true);
            this.format = settings.get("format", "");
            boolean updateable = settings.getAsBoolean("updateable", false);
            // ES made updateable (search-time) synonyms lenient by default for indices created from 8.x on
            this.lenient = settings.getAsBoolean(
                "lenient",
                indexSettings.getIndexVersionCreated().onOrAfter(IndexVersions.LENIENT_UPDATEABLE_SYNONYMS) && updateable
            );
            this.analysisMode = updateable ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
        }

        @Override
        public AnalysisMode getAnalysisMode() {
            return analysisMode;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            throw new IllegalStateException("Call createPerAnalyzerSynonymFactory to specialize this factory for an analysis chain first");
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            Analyzer analyzer = new CustomAnalyzer(
                tokenizer,
                charFilters.toArray(new CharFilterFactory[0]),
                previousTokenFilters.stream().map(TokenFilterFactory::getSynonymFilter).toArray(TokenFilterFactory[]::new)
            );
            Rules rules = readRules();
            SynonymMap synonyms = buildSynonyms(analyzer, rules);
            String name = name();
            boolean graph = this.graph;
            AnalysisMode analysisMode = this.analysisMode;
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                @SuppressWarnings("deprecation") // the plain "synonym" filter is Lucene's deprecated SynonymFilter, as in ES
                public TokenStream create(TokenStream tokenStream) {
                    if (synonyms.fst == null) {
                        return tokenStream;
                    }
                    return graph ? new SynonymGraphFilter(tokenStream, synonyms, false) : new SynonymFilter(tokenStream, synonyms, false);
                }

                @Override
                public TokenFilterFactory getSynonymFilter() {
                    // chained synonym filters must not apply to each other's rules (no stacked tokens in a synonym map)
                    return IDENTITY_FILTER;
                }

                @Override
                public AnalysisMode getAnalysisMode() {
                    return analysisMode;
                }
            };
        }

        private record Rules(Reader reader, String origin) {}

        private Rules readRules() {
            if (settings.hasValue("synonyms")) {
                List<String> lines = Analysis.getWordList(environment, settings, "synonyms");
                StringBuilder sb = new StringBuilder();
                for (String line : lines) {
                    sb.append(line).append(System.lineSeparator());
                }
                return new Rules(new StringReader(sb.toString()), "'" + name() + "' analyzer settings");
            }
            if (settings.hasValue("synonyms_set")) {
                throw new IllegalArgumentException(
                    "[synonyms_set] is not supported by the pressindex-analysis plugin; use [synonyms] or [synonyms_path]"
                );
            }
            String path = settings.get("synonyms_path");
            // getReaderFromFile resolves against the config dir and appends "_path" to the prefix in its messages
            return new Rules(Analysis.getReaderFromFile(environment, path, "synonyms"), path);
        }

        private SynonymMap buildSynonyms(Analyzer analyzer, Rules rules) {
            try {
                SynonymMap.Parser parser = "wordnet".equalsIgnoreCase(format)
                    ? new LenientWordnetParser(expand, lenient, analyzer)
                    : new LenientSolrParser(expand, lenient, analyzer);
                parser.parse(rules.reader());
                return parser.build();
            } catch (Exception e) {
                throw new IllegalArgumentException("failed to build synonyms from [" + rules.origin() + "]", e);
            }
        }
    }

    /*
     * With lenient=true a rule whose words the chain cannot analyze (e.g. a stop word) is skipped instead of
     * failing the whole map: analyze() answers an empty term and add() drops mappings with an empty side.
     */

    /** What both lenient parsers do; Lucene's two parser classes share no base we could extend. */
    @FunctionalInterface
    interface RuleAnalysis {
        CharsRef analyze() throws IOException;
    }

    static boolean keepMapping(boolean lenient, CharsRef input, CharsRef output) {
        return lenient == false || (input.length > 0 && output.length > 0);
    }

    static CharsRef analyzeLeniently(boolean lenient, String text, RuleAnalysis analysis) throws IOException {
        try {
            return analysis.analyze();
        } catch (IllegalArgumentException ex) {
            if (lenient == false) {
                throw ex;
            }
            LOGGER.info("Synonym rule for [" + text + "] was ignored");
            return new CharsRef("");
        }
    }

    static final class LenientSolrParser extends SolrSynonymParser {
        private final boolean lenient;

        LenientSolrParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (keepMapping(lenient, input, output)) {
                super.add(input, output, includeOrig);
            }
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return analyzeLeniently(lenient, text, () -> super.analyze(text, reuse));
        }
    }

    static final class LenientWordnetParser extends WordnetSynonymParser {
        private final boolean lenient;

        LenientWordnetParser(boolean expand, boolean lenient, Analyzer analyzer) {
            super(true, expand, analyzer);
            this.lenient = lenient;
        }

        @Override
        public void add(CharsRef input, CharsRef output, boolean includeOrig) {
            if (keepMapping(lenient, input, output)) {
                super.add(input, output, includeOrig);
            }
        }

        @Override
        public CharsRef analyze(String text, CharsRefBuilder reuse) throws IOException {
            return analyzeLeniently(lenient, text, () -> super.analyze(text, reuse));
        }
    }
}
