package org.pressindex.analysis;

import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.bg.BulgarianStemFilter;
import org.apache.lucene.analysis.bn.BengaliStemFilter;
import org.apache.lucene.analysis.br.BrazilianStemFilter;
import org.apache.lucene.analysis.ckb.SoraniStemFilter;
import org.apache.lucene.analysis.cz.CzechStemFilter;
import org.apache.lucene.analysis.de.GermanLightStemFilter;
import org.apache.lucene.analysis.de.GermanMinimalStemFilter;
import org.apache.lucene.analysis.el.GreekStemFilter;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.es.SpanishLightStemFilter;
import org.apache.lucene.analysis.es.SpanishPluralStemFilter;
import org.apache.lucene.analysis.fa.PersianStemFilter;
import org.apache.lucene.analysis.fi.FinnishLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchLightStemFilter;
import org.apache.lucene.analysis.fr.FrenchMinimalStemFilter;
import org.apache.lucene.analysis.gl.GalicianMinimalStemFilter;
import org.apache.lucene.analysis.gl.GalicianStemFilter;
import org.apache.lucene.analysis.hi.HindiStemFilter;
import org.apache.lucene.analysis.hu.HungarianLightStemFilter;
import org.apache.lucene.analysis.id.IndonesianStemFilter;
import org.apache.lucene.analysis.it.ItalianLightStemFilter;
import org.apache.lucene.analysis.lv.LatvianStemFilter;
import org.apache.lucene.analysis.miscellaneous.EmptyTokenStream;
import org.apache.lucene.analysis.miscellaneous.PatternKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter;
import org.apache.lucene.analysis.miscellaneous.StemmerOverrideFilter.StemmerOverrideMap;
import org.apache.lucene.analysis.no.NorwegianLightStemFilter;
import org.apache.lucene.analysis.no.NorwegianLightStemFilterFactory;
import org.apache.lucene.analysis.no.NorwegianMinimalStemFilter;
import org.apache.lucene.analysis.no.NorwegianMinimalStemFilterFactory;
import org.apache.lucene.analysis.pt.PortugueseLightStemFilter;
import org.apache.lucene.analysis.pt.PortugueseMinimalStemFilter;
import org.apache.lucene.analysis.pt.PortugueseStemFilter;
import org.apache.lucene.analysis.ru.RussianLightStemFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.sv.SwedishLightStemFilter;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.logging.DeprecationCategory;
import org.elasticsearch.common.logging.DeprecationLogger;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.PreConfiguredTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.tartarus.snowball.ext.ArmenianStemmer;
import org.tartarus.snowball.ext.BasqueStemmer;
import org.tartarus.snowball.ext.CatalanStemmer;
import org.tartarus.snowball.ext.DanishStemmer;
import org.tartarus.snowball.ext.DutchStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;
import org.tartarus.snowball.ext.EstonianStemmer;
import org.tartarus.snowball.ext.FinnishStemmer;
import org.tartarus.snowball.ext.FrenchStemmer;
import org.tartarus.snowball.ext.German2Stemmer;
import org.tartarus.snowball.ext.GermanStemmer;
import org.tartarus.snowball.ext.HungarianStemmer;
import org.tartarus.snowball.ext.IrishStemmer;
import org.tartarus.snowball.ext.ItalianStemmer;
import org.tartarus.snowball.ext.KpStemmer;
import org.tartarus.snowball.ext.LithuanianStemmer;
import org.tartarus.snowball.ext.LovinsStemmer;
import org.tartarus.snowball.ext.NorwegianStemmer;
import org.tartarus.snowball.ext.PortugueseStemmer;
import org.tartarus.snowball.ext.RomanianStemmer;
import org.tartarus.snowball.ext.RussianStemmer;
import org.tartarus.snowball.ext.SerbianStemmer;
import org.tartarus.snowball.ext.SpanishStemmer;
import org.tartarus.snowball.ext.SwedishStemmer;
import org.tartarus.snowball.ext.TurkishStemmer;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.elasticsearch.plugins.AnalysisPlugin.requiresAnalysisSettings;

/** Stemmers and the filters that steer them ({@code stemmer_override}, {@code keyword_marker}). */
final class StemmingFilters {

    private static final DeprecationLogger DEPRECATION_LOGGER = DeprecationLogger.getLogger(StemmingFilters.class);

    private StemmingFilters() {}

    static void register(Map<String, AnalysisProvider<TokenFilterFactory>> filters) {
        filters.put("stemmer", Stemmer::new);
        filters.put("snowball", Snowball::new);
        filters.put("stemmer_override", requiresAnalysisSettings(StemmerOverride::new));
        filters.put("keyword_marker", requiresAnalysisSettings(KeywordMarker::new));
    }

    /** Bare "stemmer" is Porter and bare "snowball" is English, as in analysis-common. */
    static List<PreConfiguredTokenFilter> preConfigured() {
        return List.of(
            PreConfiguredTokenFilter.singleton("stemmer", false, PorterStemFilter::new),
            PreConfiguredTokenFilter.singleton("snowball", false, input -> new SnowballFilter(input, "English"))
        );
    }

    /**
     * {@code stemmer}: {@code language} (or its older alias {@code name}), default porter. Each language maps to the
     * same Lucene class as ES 8.19's StemmerTokenFilterFactory on Lucene 9.12; unknown names fall through to a Snowball
     * stemmer of that name and fail at index creation if none exists.
     */
    static final class Stemmer extends AbstractTokenFilterFactory {
        private static final TokenStream EMPTY_TOKEN_STREAM = new EmptyTokenStream();

        private final String language;

        Stemmer(IndexSettings indexSettings, Environment env, String name, Settings settings) throws IOException {
            super(name, settings);
            this.language = Strings.capitalize(settings.get("language", settings.get("name", "porter")));
            // fail at index creation, not at the first analysis, when the language is unknown
            create(EMPTY_TOKEN_STREAM).close();
            if ("lovins".equalsIgnoreCase(language)) {
                DEPRECATION_LOGGER.critical(
                    DeprecationCategory.ANALYSIS,
                    "lovins_deprecation",
                    "The [lovins] stemmer is deprecated and will be removed in a future version."
                );
            }
            if ("dutch_kp".equalsIgnoreCase(language) || "dutchKp".equalsIgnoreCase(language) || "kp".equalsIgnoreCase(language)) {
                DEPRECATION_LOGGER.critical(
                    DeprecationCategory.ANALYSIS,
                    "dutch_kp_deprecation",
                    "The [dutch_kp] stemmer is deprecated and will be removed in a future version."
                );
            }
        }

        private boolean is(String... names) {
            for (String candidate : names) {
                if (candidate.equalsIgnoreCase(language)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public TokenStream create(TokenStream in) {
            if (is("arabic")) return new ArabicStemFilter(in);
            if (is("armenian")) return new SnowballFilter(in, new ArmenianStemmer());
            if (is("basque")) return new SnowballFilter(in, new BasqueStemmer());
            if (is("bengali")) return new BengaliStemFilter(in);
            if (is("brazilian")) return new BrazilianStemFilter(in);
            if (is("bulgarian")) return new BulgarianStemFilter(in);
            if (is("catalan")) return new SnowballFilter(in, new CatalanStemmer());
            if (is("czech")) return new CzechStemFilter(in);
            if (is("danish")) return new SnowballFilter(in, new DanishStemmer());
            // Dutch
            if (is("dutch")) return new SnowballFilter(in, new DutchStemmer());
            if (is("dutch_kp", "dutchKp", "kp")) return new SnowballFilter(in, new KpStemmer());
            // English
            if (is("english")) return new PorterStemFilter(in);
            if (is("light_english", "lightEnglish", "kstem")) return new KStemFilter(in);
            if (is("lovins")) return new SnowballFilter(in, new LovinsStemmer());
            if (is("porter")) return new PorterStemFilter(in);
            if (is("porter2")) return new SnowballFilter(in, new EnglishStemmer());
            if (is("minimal_english", "minimalEnglish")) return new EnglishMinimalStemFilter(in);
            if (is("possessive_english", "possessiveEnglish")) return new EnglishPossessiveFilter(in);
            if (is("estonian")) return new SnowballFilter(in, new EstonianStemmer());
            // Finnish ("light_finish" is a misspelling ES keeps for backwards compatibility)
            if (is("finnish")) return new SnowballFilter(in, new FinnishStemmer());
            if (is("light_finish", "lightFinish", "light_finnish", "lightFinnish")) return new FinnishLightStemFilter(in);
            // French
            if (is("french")) return new SnowballFilter(in, new FrenchStemmer());
            if (is("light_french", "lightFrench")) return new FrenchLightStemFilter(in);
            if (is("minimal_french", "minimalFrench")) return new FrenchMinimalStemFilter(in);
            // Galician
            if (is("galician")) return new GalicianStemFilter(in);
            if (is("minimal_galician")) return new GalicianMinimalStemFilter(in);
            // German
            if (is("german")) return new SnowballFilter(in, new GermanStemmer());
            if (is("german2")) return new SnowballFilter(in, new German2Stemmer());
            if (is("light_german", "lightGerman")) return new GermanLightStemFilter(in);
            if (is("minimal_german", "minimalGerman")) return new GermanMinimalStemFilter(in);
            if (is("greek")) return new GreekStemFilter(in);
            if (is("hindi")) return new HindiStemFilter(in);
            // Hungarian
            if (is("hungarian")) return new SnowballFilter(in, new HungarianStemmer());
            if (is("light_hungarian", "lightHungarian")) return new HungarianLightStemFilter(in);
            if (is("indonesian")) return new IndonesianStemFilter(in);
            if (is("irish")) return new SnowballFilter(in, new IrishStemmer());
            // Italian
            if (is("italian")) return new SnowballFilter(in, new ItalianStemmer());
            if (is("light_italian", "lightItalian")) return new ItalianLightStemFilter(in);
            if (is("latvian")) return new LatvianStemFilter(in);
            if (is("lithuanian")) return new SnowballFilter(in, new LithuanianStemmer());
            // Norwegian (Bokmål); ES compares "minimalNorwegian" case-sensitively against the capitalized
            // language, so that alias never matches there either
            if (is("norwegian")) return new SnowballFilter(in, new NorwegianStemmer());
            if (is("light_norwegian", "lightNorwegian")) return new NorwegianLightStemFilter(in);
            if (is("minimal_norwegian") || "minimalNorwegian".equals(language)) return new NorwegianMinimalStemFilter(in);
            // Norwegian (Nynorsk); Lucene's factories consume their argument map, so it must be mutable
            if (is("light_nynorsk", "lightNynorsk")) {
                return new NorwegianLightStemFilterFactory(new HashMap<>(Map.of("variant", "nn"))).create(in);
            }
            if (is("minimal_nynorsk", "minimalNynorsk")) {
                return new NorwegianMinimalStemFilterFactory(new HashMap<>(Map.of("variant", "nn"))).create(in);
            }
            if (is("persian")) return new PersianStemFilter(in);
            // Portuguese
            if (is("portuguese")) return new SnowballFilter(in, new PortugueseStemmer());
            if (is("light_portuguese", "lightPortuguese")) return new PortugueseLightStemFilter(in);
            if (is("minimal_portuguese", "minimalPortuguese")) return new PortugueseMinimalStemFilter(in);
            if (is("portuguese_rslp")) return new PortugueseStemFilter(in);
            if (is("romanian")) return new SnowballFilter(in, new RomanianStemmer());
            // Russian
            if (is("russian")) return new SnowballFilter(in, new RussianStemmer());
            if (is("light_russian", "lightRussian")) return new RussianLightStemFilter(in);
            if (is("serbian")) return new SnowballFilter(in, new SerbianStemmer());
            // Spanish
            if (is("spanish")) return new SnowballFilter(in, new SpanishStemmer());
            if (is("light_spanish", "lightSpanish")) return new SpanishLightStemFilter(in);
            if (is("spanish_plural")) return new SpanishPluralStemFilter(in);
            if (is("sorani")) return new SoraniStemFilter(in);
            // Swedish
            if (is("swedish")) return new SnowballFilter(in, new SwedishStemmer());
            if (is("light_swedish", "lightSwedish")) return new SwedishLightStemFilter(in);
            if (is("turkish")) return new SnowballFilter(in, new TurkishStemmer());
            return new SnowballFilter(in, language);
        }
    }

    /** {@code snowball}: {@code language} (or {@code name}), default English; any Snowball stemmer Lucene ships. */
    static final class Snowball extends AbstractTokenFilterFactory {
        private final String language;

        Snowball(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            this.language = Strings.capitalize(settings.get("language", settings.get("name", "English")));
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new SnowballFilter(tokenStream, language);
        }
    }

    /** {@code stemmer_override}: {@code rules} or {@code rules_path}, lines of "a, b => c". */
    static final class StemmerOverride extends AbstractTokenFilterFactory {
        private final StemmerOverrideMap overrideMap;

        StemmerOverride(IndexSettings indexSettings, Environment env, String name, Settings settings) throws IOException {
            super(name, settings);
            List<String> rules = Analysis.getWordList(env, settings, "rules");
            if (rules == null) {
                throw new IllegalArgumentException("stemmer override filter requires either `rules` or `rules_path` to be configured");
            }
            StemmerOverrideFilter.Builder builder = new StemmerOverrideFilter.Builder(false);
            parseRules(rules, builder, "=>");
            this.overrideMap = builder.build();
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new StemmerOverrideFilter(tokenStream, overrideMap);
        }

        static void parseRules(List<String> rules, StemmerOverrideFilter.Builder builder, String mappingSep) {
            for (String rule : rules) {
                String[] sides = rule.split(mappingSep, -1);
                if (sides.length != 2) {
                    throw new RuntimeException("Invalid Keyword override Rule:" + rule);
                }
                String[] keys = sides[0].split(",", -1);
                String override = sides[1].trim();
                if (override.isEmpty() || override.indexOf(',') != -1) {
                    throw new RuntimeException("Invalid Keyword override Rule:" + rule);
                }
                for (String key : keys) {
                    String trimmedKey = key.trim();
                    if (trimmedKey.isEmpty()) {
                        throw new RuntimeException("Invalid Keyword override Rule:" + rule);
                    }
                    builder.add(trimmedKey, override);
                }
            }
        }
    }

    /** {@code keyword_marker}: {@code keywords} / {@code keywords_path} (with {@code ignore_case}) or {@code keywords_pattern}. */
    static final class KeywordMarker extends AbstractTokenFilterFactory {
        private final CharArraySet keywordLookup;
        private final Pattern keywordPattern;

        KeywordMarker(IndexSettings indexSettings, Environment env, String name, Settings settings) {
            super(name, settings);
            boolean ignoreCase = settings.getAsBoolean("ignore_case", false);
            String patternString = settings.get("keywords_pattern");
            if (patternString != null) {
                if (settings.get("keywords") != null || settings.get("keywords_path") != null) {
                    throw new IllegalArgumentException("cannot specify both `keywords_pattern` and `keywords` or `keywords_path`");
                }
                this.keywordPattern = Pattern.compile(patternString);
                this.keywordLookup = null;
            } else {
                CharArraySet keywords = Analysis.getWordSet(env, settings, "keywords");
                if (keywords == null) {
                    throw new IllegalArgumentException(
                        "keyword filter requires either `keywords`, `keywords_path`, or `keywords_pattern` to be configured"
                    );
                }
                this.keywordLookup = new CharArraySet(keywords, ignoreCase);
                this.keywordPattern = null;
            }
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            if (keywordPattern != null) {
                return new PatternKeywordMarkerFilter(tokenStream, keywordPattern);
            }
            return new SetKeywordMarkerFilter(tokenStream, keywordLookup);
        }
    }
}
