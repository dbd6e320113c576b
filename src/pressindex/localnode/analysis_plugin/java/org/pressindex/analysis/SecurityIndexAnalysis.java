package org.pressindex.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/**
 * The {@code pattern_capture} filter and the {@code uax_url_email} tokenizer. Security's own index
 * ({@code .security}: native users, role mappings, API keys) declares an {@code email} analyzer built
 * from them (with {@code lowercase} and {@code unique}), so a local node with security enabled needs them.
 */
final class SecurityIndexAnalysis {

    private SecurityIndexAnalysis() {}

    static void registerFilters(Map<String, AnalysisProvider<TokenFilterFactory>> filters) {
        filters.put("pattern_capture", requiresAnalysisSettings(PatternCapture::new));
    }

    static void registerTokenizers(Map<String, AnalysisProvider<TokenizerFactory>> tokenizers) {
        tokenizers.put("uax_url_email", UaxUrlEmail::new);
    }

    /** {@code pattern_capture}: {@code patterns} (required), {@code preserve_original} (default true). */
    static final class PatternCapture extends AbstractTokenFilterFactory {
        private final Pattern[] patterns;
        private final boolean preserveOriginal;

        PatternCapture(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            List<String> regexes = settings.getAsList("patterns", null, false);
            if (regexes == null) {
                throw new IllegalArgumentException("required setting 'patterns' is missing for token filter [" + name + "]");
            }
            this.patterns = regexes.stream().map(Pattern::compile).toArray(Pattern[]::new);
            this.preserveOriginal = settings.getAsBoolean("preserve_original", true);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new PatternCaptureGroupTokenFilter(tokenStream, preserveOriginal, patterns);
        }
    }

    /** {@code uax_url_email}: {@code max_token_length} (default 255). */
    static final class UaxUrlEmail extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        UaxUrlEmail(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            this.maxTokenLength = settings.getAsInt("max_token_length", StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH);
        }

        @Override
        public Tokenizer create() {
            UAX29URLEmailTokenizer tokenizer = new UAX29URLEmailTokenizer();
            tokenizer.setMaxTokenLength(maxTokenLength);
            return tokenizer;
        }
    }
}
