package org.pressindex.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.compound.CompoundWordTokenFilterBase;
import org.apache.lucene.analysis.compound.DictionaryCompoundWordTokenFilter;
import org.apache.lucene.analysis.compound.HyphenationCompoundWordTokenFilter;
import org.apache.lucene.analysis.compound.hyphenation.HyphenationTree;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.xml.sax.InputSource;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/**
 * Decompounders: German compounds ("Truppenaufmarsch") gain their dictionary parts ("truppen", "aufmarsch")
 * as extra tokens at the compound's position and with its offsets.
 */
final class CompoundWordFilters {

    private CompoundWordFilters() {}

    static void register(Map<String, AnalysisProvider<TokenFilterFactory>> filters) {
        filters.put("dictionary_decompounder", requiresAnalysisSettings(Dictionary::new));
        filters.put("hyphenation_decompounder", requiresAnalysisSettings(Hyphenation::new));
    }

    /** Settings both decompounders share: the word list and the size limits. */
    abstract static class Base extends AbstractTokenFilterFactory {
        protected final int minWordSize;
        protected final int minSubwordSize;
        protected final int maxSubwordSize;
        protected final boolean onlyLongestMatch;
        protected final CharArraySet wordList;

        Base(Environment env, String name, Settings settings) {
            super(name, settings);
            this.minWordSize = settings.getAsInt("min_word_size", CompoundWordTokenFilterBase.DEFAULT_MIN_WORD_SIZE);
            this.minSubwordSize = settings.getAsInt("min_subword_size", CompoundWordTokenFilterBase.DEFAULT_MIN_SUBWORD_SIZE);
            this.maxSubwordSize = settings.getAsInt("max_subword_size", CompoundWordTokenFilterBase.DEFAULT_MAX_SUBWORD_SIZE);
            this.onlyLongestMatch = settings.getAsBoolean("only_longest_match", false);
            // word_list inline or word_list_path relative to the config dir; the server reads the file
            this.wordList = Analysis.getWordSet(env, settings, "word_list");
            if (wordList == null) {
                throw new IllegalArgumentException(
                    "word_list must be provided for [" + name + "], either as a path to a file, or directly"
                );
            }
        }

        @Override
        public TokenFilterFactory getSynonymFilter() {
            return IDENTITY_FILTER; // synonym rules are not decompounded
        }
    }

    /** {@code dictionary_decompounder}: brute-force dictionary lookup of every substring. */
    static final class Dictionary extends Base {
        Dictionary(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(env, name, settings);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            // Lucene 9.12's dictionary filter has no no_sub_matches/no_overlapping_matches, and ES ignores them here
            return new DictionaryCompoundWordTokenFilter(
                tokenStream,
                wordList,
                minWordSize,
                minSubwordSize,
                maxSubwordSize,
                onlyLongestMatch
            );
        }
    }

    /**
     * {@code hyphenation_decompounder}: only substrings between hyphenation points are looked up.
     * {@code hyphenation_patterns_path} is an OFFO/FOP XML pattern file, relative to the config dir.
     */
    static final class Hyphenation extends Base {
        private final boolean noSubMatches;
        private final boolean noOverlappingMatches;
        private final HyphenationTree hyphenationTree;

        Hyphenation(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(env, name, settings);
            String hyphenationPatternsPath = settings.get("hyphenation_patterns_path", null);
            if (hyphenationPatternsPath == null) {
                throw new IllegalArgumentException("hyphenation_patterns_path is a required setting.");
            }
            Path hyphenationPatternsFile = env.configDir().resolve(hyphenationPatternsPath);
            // this read happens in plugin code, so the plugin's entitlement policy must grant read access to config
            try (InputStream in = Files.newInputStream(hyphenationPatternsFile)) {
                this.hyphenationTree = HyphenationCompoundWordTokenFilter.getHyphenationTree(new InputSource(in));
            } catch (Exception e) {
                throw new IllegalArgumentException("Exception while reading hyphenation_patterns_path.", e);
            }
            this.noSubMatches = settings.getAsBoolean("no_sub_matches", false);
            this.noOverlappingMatches = settings.getAsBoolean("no_overlapping_matches", false);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new HyphenationCompoundWordTokenFilter(
                tokenStream,
                hyphenationTree,
                wordList,
                minWordSize,
                minSubwordSize,
                maxSubwordSize,
                onlyLongestMatch,
                noSubMatches,
                noOverlappingMatches
            );
        }
    }
}
