package org.pressindex.analysis;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.es.SpanishAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.pt.PortugueseAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.PreBuiltAnalyzerProviderFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.indices.analysis.PreBuiltCacheFactory.CachingStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The built-in language analyzers pressindex may use: Lucene's analyzers with their default stop sets, configurable
 * through {@code stopwords} / {@code stopwords_path} and {@code stem_exclusion} exactly as in analysis-common.
 */
final class LanguageAnalyzers {

    private LanguageAnalyzers() {}

    /** One language: its name, Lucene's default stop set, and the (stopwords, stemExclusion) constructor. */
    private record Language(String name, CharArraySet defaultStopWords, BiFunction<CharArraySet, CharArraySet, Analyzer> build,
                            Supplier<Analyzer> buildDefault) {}

    private static final List<Language> LANGUAGES = List.of(
        new Language("dutch", DutchAnalyzer.getDefaultStopSet(), DutchAnalyzer::new, DutchAnalyzer::new),
        new Language("english", EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, EnglishAnalyzer::new, EnglishAnalyzer::new),
        new Language("french", FrenchAnalyzer.getDefaultStopSet(), FrenchAnalyzer::new, FrenchAnalyzer::new),
        new Language("german", GermanAnalyzer.getDefaultStopSet(), GermanAnalyzer::new, GermanAnalyzer::new),
        new Language("italian", ItalianAnalyzer.getDefaultStopSet(), ItalianAnalyzer::new, ItalianAnalyzer::new),
        new Language("portuguese", PortugueseAnalyzer.getDefaultStopSet(), PortugueseAnalyzer::new, PortugueseAnalyzer::new),
        new Language("spanish", SpanishAnalyzer.getDefaultStopSet(), SpanishAnalyzer::new, SpanishAnalyzer::new)
    );

    /** Used for {@code "type": "german"} definitions with parameters. */
    static Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> providers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        for (Language language : LANGUAGES) {
            analyzers.put(language.name(), (indexSettings, env, name, settings) -> {
                CharArraySet stopWords = Analysis.parseStopWords(env, settings, language.defaultStopWords());
                CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
                return new ConfiguredAnalyzerProvider(name, settings, language.build().apply(stopWords, stemExclusion));
            });
        }
        return analyzers;
    }

    /** Used when a field names {@code "analyzer": "german"} without defining it; shared per Lucene version, as in ES. */
    static List<PreBuiltAnalyzerProviderFactory> preBuilt() {
        List<PreBuiltAnalyzerProviderFactory> analyzers = new ArrayList<>();
        for (Language language : LANGUAGES) {
            analyzers.add(new PreBuiltAnalyzerProviderFactory(language.name(), CachingStrategy.LUCENE, language.buildDefault()));
        }
        return analyzers;
    }

    static final class ConfiguredAnalyzerProvider extends AbstractIndexAnalyzerProvider<Analyzer> {
        private final Analyzer analyzer;

        ConfiguredAnalyzerProvider(String name, Settings settings, Analyzer analyzer) {
            super(name, settings);
            this.analyzer = analyzer;
        }

        @Override
        public Analyzer get() {
            return analyzer;
        }
    }
}
