package org.pressindex.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenizer;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The {@code whitespace} and {@code keyword} tokenizers (core only has {@code standard}). */
final class BasicTokenizers {

    private BasicTokenizers() {}

    static Map<String, AnalysisProvider<TokenizerFactory>> providers() {
        Map<String, AnalysisProvider<TokenizerFactory>> tokenizers = new TreeMap<>();
        tokenizers.put("whitespace", Whitespace::new);
        tokenizers.put("keyword", Keyword::new);
        return tokenizers;
    }

    static List<PreConfiguredTokenizer> preConfigured() {
        return List.of(
            PreConfiguredTokenizer.singleton("whitespace", WhitespaceTokenizer::new),
            PreConfiguredTokenizer.singleton("keyword", KeywordTokenizer::new)
        );
    }

    /** {@code whitespace}: {@code max_token_length} (default 255); longer runs are split at that length. */
    static final class Whitespace extends AbstractTokenizerFactory {
        private final int maxTokenLength;

        Whitespace(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            this.maxTokenLength = settings.getAsInt("max_token_length", StandardAnalyzer.DEFAULT_MAX_TOKEN_LENGTH);
        }

        @Override
        public Tokenizer create() {
            return new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, maxTokenLength);
        }
    }

    /** {@code keyword}: the whole input as one token; {@code buffer_size} (default 256) is only the initial buffer. */
    static final class Keyword extends AbstractTokenizerFactory {
        private final int bufferSize;

        Keyword(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(indexSettings, settings, name);
            this.bufferSize = settings.getAsInt("buffer_size", 256);
        }

        @Override
        public Tokenizer create() {
            return new KeywordTokenizer(bufferSize);
        }
    }
}
