package org.pressindex.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Filters that drop tokens: duplicates ({@code remove_duplicates}, {@code unique}) and by length ({@code length}). */
final class TokenSelectionFilters {

    private TokenSelectionFilters() {}

    static void register(Map<String, AnalysisProvider<TokenFilterFactory>> filters) {
        filters.put("remove_duplicates", RemoveDuplicates::new);
        filters.put("unique", Unique::new);
        filters.put("length", Length::new);
    }

    static List<PreConfiguredTokenFilter> preConfigured() {
        return List.of(
            PreConfiguredTokenFilter.singleton("unique", false, UniqueTokenFilter::new),
            PreConfiguredTokenFilter.singleton("length", false, input -> new LengthFilter(input, 0, Integer.MAX_VALUE))
        );
    }

    /** {@code remove_duplicates}: drops a token identical to another at the same position (e.g. after decompounding and stemming). */
    static final class RemoveDuplicates extends AbstractTokenFilterFactory {
        RemoveDuplicates(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new RemoveDuplicatesTokenFilter(tokenStream);
        }
    }

    /** {@code unique}: {@code only_on_same_position} (default false: unique over the whole stream). */
    static final class Unique extends AbstractTokenFilterFactory {
        private final boolean onlyOnSamePosition;

        Unique(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.onlyOnSamePosition = settings.getAsBoolean("only_on_same_position", false);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new UniqueTokenFilter(tokenStream, onlyOnSamePosition);
        }
    }

    /** {@code length}: {@code min} (default 0) and {@code max} (default Integer.MAX_VALUE) in UTF-16 units. */
    static final class Length extends AbstractTokenFilterFactory {
        private final int min;
        private final int max;

        Length(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.min = settings.getAsInt("min", 0);
            this.max = settings.getAsInt("max", Integer.MAX_VALUE);
            if (settings.get("enable_position_increments") != null) {
                throw new IllegalArgumentException("enable_position_increments is not supported anymore. Please fix your analysis chain");
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new LengthFilter(tokenStream, min, max);
        }
    }

    /**
     * ES's own filter behind {@code unique} (Lucene has no equivalent): the first occurrence of each term wins; with
     * onlyOnSamePosition only repeats among tokens stacked on one position are dropped.
     */
    static final class UniqueTokenFilter extends TokenFilter {
        private final CharTermAttribute termAttribute = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute posIncAttribute = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet previous = new CharArraySet(8, false);
        private final boolean onlyOnSamePosition;

        UniqueTokenFilter(TokenStream in) {
            this(in, false);
        }

        UniqueTokenFilter(TokenStream in, boolean onlyOnSamePosition) {
            super(in);
            this.onlyOnSamePosition = onlyOnSamePosition;
        }

        @Override
        public boolean incrementToken() throws IOException {
            while (input.incrementToken()) {
                final char[] term = termAttribute.buffer();
                final int length = termAttribute.length();
                boolean duplicate;
                if (onlyOnSamePosition) {
                    final int posIncrement = posIncAttribute.getPositionIncrement();
                    if (posIncrement > 0) {
                        previous.clear();
                    }
                    duplicate = posIncrement == 0 && previous.contains(term, 0, length);
                } else {
                    duplicate = previous.contains(term, 0, length);
                }
                char[] saved = new char[length];
                System.arraycopy(term, 0, saved, 0, length);
                previous.add(saved);
                if (duplicate == false) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            previous.clear();
        }
    }
}
