package org.pressindex.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.de.GermanNormalizationFilter;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

import java.util.List;
import java.util.Map;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/**
 * Character-level normalizations that keep one token per input token. All of them are
 * {@link NormalizingTokenFilterFactory}s, as in analysis-common, so {@code normalizer}s and
 * multi-term queries (prefix, wildcard, fuzzy) may use them.
 */
final class NormalizationFilters {

    private NormalizationFilters() {}

    static void register(Map<String, AnalysisProvider<TokenFilterFactory>> filters) {
        filters.put("asciifolding", AsciiFolding::new);
        filters.put("german_normalization", GermanNormalization::new);
        filters.put("elision", requiresAnalysisSettings(Elision::new));
        filters.put("trim", Trim::new);
        // core only pre-configures a parameterless "lowercase"; the "language" variant lives in analysis-common
        filters.put("lowercase", LowerCase::new);
    }

    /** The instances used when a chain names the filter without defining it (second argument: multi-term aware). */
    static List<PreConfiguredTokenFilter> preConfigured() {
        return List.of(
            PreConfiguredTokenFilter.singleton("asciifolding", true, ASCIIFoldingFilter::new),
            PreConfiguredTokenFilter.singleton("german_normalization", true, GermanNormalizationFilter::new),
            PreConfiguredTokenFilter.singleton("elision", true, input -> new ElisionFilter(input, FrenchAnalyzer.DEFAULT_ARTICLES)),
            PreConfiguredTokenFilter.singleton("trim", true, TrimFilter::new)
        );
    }

    /** {@code asciifolding}: {@code preserve_original} (default false). */
    static final class AsciiFolding extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final boolean preserveOriginal;

        AsciiFolding(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
        }

        @Override
        public TokenStream normalize(TokenStream tokenStream) {
            // a normalizer must emit exactly one token, so never keep the original here
            return new ASCIIFoldingFilter(tokenStream, false);
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            if (preserveOriginal == false) {
                return this;
            }
            // stacked tokens cannot be parsed into a synonym map (LUCENE-7536): fold without the original
            String name = name();
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream tokenStream) {
                    return new ASCIIFoldingFilter(tokenStream, false);
                }
            };
        }
    }

    /** {@code german_normalization}: ß→ss, umlauts and ae/oe/ue folded (Lucene's GermanNormalizationFilter). */
    static final class GermanNormalization extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        GermanNormalization(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new GermanNormalizationFilter(tokenStream);
        }
    }

    /** {@code elision}: {@code articles} / {@code articles_path} and {@code articles_case}, parsed by the server. */
    static final class Elision extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final CharArraySet articles;

        Elision(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.articles = Analysis.parseArticles(env, settings);
            if (this.articles == null) {
                throw new IllegalArgumentException("elision filter requires [articles] or [articles_path] setting");
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new ElisionFilter(tokenStream, articles);
        }
    }

    /** {@code trim}: strips surrounding whitespace; {@code update_offsets} was removed in ES 6 and is rejected. */
    static final class Trim extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        Trim(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            if (settings.get("update_offsets") != null) {
                throw new IllegalArgumentException("update_offsets is not supported anymore. Please fix your analysis chain");
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new TrimFilter(tokenStream);
        }
    }

    /** {@code lowercase} with an optional {@code language} of greek, irish or turkish. */
    static final class LowerCase extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final String language;

        LowerCase(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.language = settings.get("language", null);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            if (language == null) {
                return new LowerCaseFilter(tokenStream);
            } else if (language.equalsIgnoreCase("greek")) {
                return new GreekLowerCaseFilter(tokenStream);
            } else if (language.equalsIgnoreCase("irish")) {
                return new IrishLowerCaseFilter(tokenStream);
            } else if (language.equalsIgnoreCase("turkish")) {
                return new TurkishLowerCaseFilter(tokenStream);
            } else {
                throw new IllegalArgumentException("language [" + language + "] not support for lower case");
            }
        }
    }
}
