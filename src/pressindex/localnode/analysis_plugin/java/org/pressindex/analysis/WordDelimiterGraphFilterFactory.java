package org.pressindex.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.IndexVersions;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_ALL;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_NUMBERS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.CATENATE_WORDS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.GENERATE_WORD_PARTS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.IGNORE_KEYWORDS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.PRESERVE_ORIGINAL;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.SPLIT_ON_NUMERICS;
import static org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE;

/**
 * {@code word_delimiter_graph}: splits "Wi-Fi", "PowerShot", "SD500" into parts, with analysis-common's flags,
 * {@code protected_words(_path)}, {@code type_table(_path)}, {@code adjust_offsets} and {@code ignore_keywords}.
 */
final class WordDelimiterGraphFilterFactory extends AbstractTokenFilterFactory {

    private static final Pattern TYPE_RULE = Pattern.compile("(.*)\\s*=>\\s*(.*)\\s*$");

    private final byte[] charTypeTable;
    private final int flags;
    private final CharArraySet protectedWords;
    private final boolean adjustOffsets;

    WordDelimiterGraphFilterFactory(IndexSettings indexSettings, Environment env, String name, Settings settings) {
        super(name, settings);
        List<String> typeTable = Analysis.getWordList(env, settings, "type_table");
        this.charTypeTable = typeTable == null ? WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE : parseTypes(typeTable);
        int flags = 0;
        flags |= flag(GENERATE_WORD_PARTS, settings, "generate_word_parts", true);
        flags |= flag(GENERATE_NUMBER_PARTS, settings, "generate_number_parts", true);
        flags |= flag(CATENATE_WORDS, settings, "catenate_words", false);
        flags |= flag(CATENATE_NUMBERS, settings, "catenate_numbers", false);
        flags |= flag(CATENATE_ALL, settings, "catenate_all", false);
        flags |= flag(SPLIT_ON_CASE_CHANGE, settings, "split_on_case_change", true);
        flags |= flag(PRESERVE_ORIGINAL, settings, "preserve_original", false);
        flags |= flag(SPLIT_ON_NUMERICS, settings, "split_on_numerics", true);
        flags |= flag(STEM_ENGLISH_POSSESSIVE, settings, "stem_english_possessive", true);
        flags |= flag(IGNORE_KEYWORDS, settings, "ignore_keywords", false);
        this.flags = flags;
        CharArraySet words = Analysis.getWordSet(env, settings, "protected_words");
        this.protectedWords = words == null ? null : CharArraySet.copy(words);
        this.adjustOffsets = settings.getAsBoolean("adjust_offsets", true);
    }

    /** Bare "word_delimiter_graph": analysis-common's defaults; offsets are adjusted for indices from 7.3 on. */
    static PreConfiguredTokenFilter preConfigured() {
        return PreConfiguredTokenFilter.indexVersion(
            "word_delimiter_graph",
            false,
            false,
            (input, version) -> new WordDelimiterGraphFilter(
                input,
                version.onOrAfter(IndexVersions.V_7_3_0),
                WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE,
                GENERATE_WORD_PARTS | GENERATE_NUMBER_PARTS | SPLIT_ON_CASE_CHANGE | SPLIT_ON_NUMERICS | STEM_ENGLISH_POSSESSIVE,
                null
            )
        );
    }

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new WordDelimiterGraphFilter(tokenStream, adjustOffsets, charTypeTable, flags, protectedWords);
    }

    @Override
    public TokenFilterFactory getSynonymFilter() {
        // a graph of split parts cannot be turned into synonym rules
        throw new IllegalArgumentException("Token filter [" + name() + "] cannot be used to parse synonyms");
    }

    private static int flag(int flag, Settings settings, String key, boolean defaultValue) {
        return settings.getAsBoolean(key, defaultValue) ? flag : 0;
    }

    /** Parses "c => TYPE" lines (e.g. "$ => DIGIT", "\\u200D => ALPHANUM") into a character type table. */
    static byte[] parseTypes(List<String> rules) {
        SortedMap<Character, Byte> typeMap = new TreeMap<>();
        for (String rule : rules) {
            Matcher m = TYPE_RULE.matcher(rule);
            if (m.find() == false) {
                throw new RuntimeException("Invalid Mapping Rule : [" + rule + "]");
            }
            String lhs = parseString(m.group(1).trim());
            Byte rhs = parseType(m.group(2).trim());
            if (lhs.length() != 1) {
                throw new RuntimeException("Invalid Mapping Rule : [" + rule + "]. Only a single character is allowed.");
            }
            if (rhs == null) {
                throw new RuntimeException("Invalid Mapping Rule : [" + rule + "]. Illegal type.");
            }
            typeMap.put(lhs.charAt(0), rhs);
        }
        // at least as large as the default table, so lookups of common characters stay array accesses
        byte[] types = new byte[Math.max(typeMap.lastKey() + 1, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE.length)];
        for (int i = 0; i < types.length; i++) {
            types[i] = WordDelimiterIterator.getType(i);
        }
        for (Map.Entry<Character, Byte> mapping : typeMap.entrySet()) {
            types[mapping.getKey()] = mapping.getValue();
        }
        return types;
    }

    @SuppressWarnings("deprecation")
    private static Byte parseType(String s) {
        // the type constants live on the (legacy) WordDelimiterFilter, shared with the graph variant
        int type = switch (s) {
            case "LOWER" -> WordDelimiterFilter.LOWER;
            case "UPPER" -> WordDelimiterFilter.UPPER;
            case "ALPHA" -> WordDelimiterFilter.ALPHA;
            case "DIGIT" -> WordDelimiterFilter.DIGIT;
            case "ALPHANUM" -> WordDelimiterFilter.ALPHANUM;
            case "SUBWORD_DELIM" -> WordDelimiterFilter.SUBWORD_DELIM;
            default -> -1;
        };
        return type < 0 ? null : (byte) type;
    }

    private static String parseString(String s) {
        char[] out = new char[256];
        int readPos = 0;
        int len = s.length();
        int writePos = 0;
        while (readPos < len) {
            char c = s.charAt(readPos++);
            if (c == '\\') {
                if (readPos >= len) {
                    throw new RuntimeException("Invalid escaped char in [" + s + "]");
                }
                c = s.charAt(readPos++);
                switch (c) {
                    case '\\' -> c = '\\';
                    case 'n' -> c = '\n';
                    case 't' -> c = '\t';
                    case 'r' -> c = '\r';
                    case 'b' -> c = '\b';
                    case 'f' -> c = '\f';
                    case 'u' -> {
                        if (readPos + 3 >= len) {
                            throw new RuntimeException("Invalid escaped char in [" + s + "]");
                        }
                        c = (char) Integer.parseInt(s.substring(readPos, readPos + 4), 16);
                        readPos += 4;
                    }
                    default -> {}
                }
            }
            out[writePos++] = c;
        }
        return new String(out, 0, writePos);
    }
}
