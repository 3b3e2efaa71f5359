#include "core/label_selector.h"

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

// Vectors transcribed from kubernetes/apimachinery pkg/labels/selector_test.go (TestSelectorParse,
// TestLexer, TestLexerSequence, TestSelectorMatches, TestSetMatches, TestRequirementConstructor,
// TestToString, TestRequirementSelectorMatching, TestSetSelectorParser) and
// pkg/api/validate/content/kube_test.go, plus every example of
// shared/specs/quantity-and-selectors.md Part B. Expected error texts are upstream's, as built by
// selector.go, content/{kube,dns,errors}.go and field/errors.go.

namespace kscale::core {
namespace {

using Op = LabelSelector::Operator;

constexpr std::string_view kNamePartError =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr std::string_view kPrefixPartError =
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
    "'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr std::string_view kTooManySlashesError =
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
    "subdomain prefix and '/' (e.g. 'example.com/MyName')";
constexpr std::string_view kValueError =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
constexpr std::string_view kNotAnInteger = "for 'Gt', 'Lt' operators, the value must be an integer";
constexpr std::string_view kExpectedOperator = "expected: in, notin, =, ==, !=, gt, lt";

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto part : parts) {
    out.append(part);
  }
  return out;
}

/// "unable to parse requirement: <nil>: Invalid value: <quoted key>: <detail>".
std::string key_error(std::string_view quoted_key, std::string_view detail) {
  return cat({"unable to parse requirement: <nil>: Invalid value: ", quoted_key, ": ", detail});
}

/// "values[i][key]: Invalid value: <quoted value>: <value rule>".
std::string value_error(std::string_view path, std::string_view quoted_value) {
  return cat({path, ": Invalid value: ", quoted_value, ": ", kValueError});
}

std::string int_error(std::string_view path, std::string_view quoted_value) {
  return cat({path, ": Invalid value: ", quoted_value, ": ", kNotAnInteger});
}

std::string requirement_error(std::string_view detail) {
  return cat({"unable to parse requirement: ", detail});
}

struct ParseCase {
  std::string name;
  std::string input;
  std::string want;  // String() on success
};

struct ErrorCase {
  std::string name;
  std::string input;
  std::string want;  // the error message
};

void expect_parses(const std::vector<ParseCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto selector = LabelSelector::parse(c.input);
    ASSERT_TRUE(selector.has_value()) << selector.error().message;
    EXPECT_EQ(selector->to_string(), c.want);
    // Parse(String()) reproduces String().
    const auto again = LabelSelector::parse(selector->to_string());
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(again->to_string(), c.want);
  }
}

void expect_errors(const std::vector<ErrorCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto selector = LabelSelector::parse(c.input);
    ASSERT_FALSE(selector.has_value()) << "parsed as: " << selector->to_string();
    EXPECT_EQ(selector.error().message, c.want);
    EXPECT_EQ(selector.error().reason, StatusReason::BadRequest);
    EXPECT_EQ(selector.error().code, 400);
  }
}

// --- lexer ---------------------------------------------------------------------------------

TEST(LabelSelectorTest, LexesTokenSequencesAsUpstream) {
  // TestLexerSequence, observed through the parser.
  expect_parses({
      {"in with spaced parens", "key in ( value )", "key in (value)"},
      {"notin with spaced parens", "key notin ( value )", "key notin (value)"},
      {"two values", "key in ( value1, value2 )", "key in (value1,value2)"},
      {"bare key", "key", "key"},
      {"negated key", "!key", "!key"},
      {"empty set then key", "x in (),y", "x in (),y"},
      {"gt without spaces", "key>2", "key>2"},
      {"lt without spaces", "key<1", "key<1"},
  });
  expect_errors({
      {"parens alone", "()", "found '(', expected: !, identifier, or 'end of string'"},
      {"operators alone", "== != (), = notin",
       "found '==', expected: !, identifier, or 'end of string'"},
  });
}

TEST(LabelSelectorTest, MatchesSpecialTokensLongestFirst) {
  // ">=" is ">" then "=", "!==" is "!=" then "=", "===" is "==" then "=".
  expect_errors({
      {"gt then equals", "a>=1", requirement_error("found '=', expected: identifier")},
      {"not-equals then equals", "a!==b", requirement_error("found '=', expected: identifier")},
      {"double equals then equals", "a===b", requirement_error("found '=', expected: identifier")},
      {"equals then bang", "a=!b", requirement_error("found '!', expected: identifier")},
      {"equals then gt", "a=>1", requirement_error("found '>', expected: identifier")},
      {"lt then gt", "a<>1", requirement_error("found '>', expected: identifier")},
      {"equals then open paren", "a=(b)", requirement_error("found '(', expected: identifier")},
      {"double bang", "!!a", requirement_error("found '!', expected: identifier")},
  });
  expect_parses({
      {"not-equals", "a!=b", "a!=b"},
      {"double equals", "a==b", "a==b"},
  });
}

TEST(LabelSelectorTest, TreatsOnlySpaceTabCrLfAsWhitespace) {
  expect_parses({
      {"spaces everywhere", " x = a , y = b ", "x=a,y=b"},
      {"two spaces and a tab", "foo  in\t (abc)", "foo in (abc)"},
      {"newline before paren", "x notin\n (abc)", "x notin (abc)"},
      {"tabs", "x  notin\t\t\t(abc,def)", "x notin (abc,def)"},
      {"leading carriage return", "\rx", "x"},
      {"trailing space", "a ", "a"},
      {"space after bang", "! a", "!a"},
      {"whitespace only", " \t\r\n", ""},
  });
  // Vertical tab and form feed are identifier bytes, which the key rule then rejects.
  expect_errors({
      {"vertical tab", "\vx", key_error("\"\\vx\"", kNamePartError)},
      {"form feed", "x\f=a", key_error("\"x\\f\"", kNamePartError)},
  });
}

TEST(LabelSelectorTest, ReadsAnyOtherBytesAsOneIdentifier) {
  // TestLexer: "~" and "||" are identifiers; so are "$y", UTF-8 and "1.5".
  expect_errors({
      {"tilde key", "~", key_error("\"~\"", kNamePartError)},
      {"pipes key", "||", key_error("\"||\"", kNamePartError)},
      {"pipes inside a value", "x=a||y=b",
       requirement_error(value_error("values[0][x]", "\"a||y\""))},
      {"dollar key", "$y", key_error("\"$y\"", kNamePartError)},
      {"utf-8 key", "\xC3\xA1=b", key_error("\"\xC3\xA1\"", kNamePartError)},
      {"utf-8 value", "x=\xC3\xA1", requirement_error(value_error("values[0][x]", "\"\xC3\xA1\""))},
      {"decimal as gt bound", "x>1.5", requirement_error(int_error("values[0]", "\"1.5\""))},
  });
  expect_parses({{"decimal as value", "x=1.5", "x=1.5"}});
}

TEST(LabelSelectorTest, QuotesBadKeysAndValuesLikeGoPercentQ) {
  expect_errors({
      {"control byte",
       "\x01"
       "a",
       key_error("\"\\x01a\"", kNamePartError)},
      {"delete byte", "a\x7F", key_error("\"a\\x7f\"", kNamePartError)},
      {"invalid utf-8", "x=\xFF", requirement_error(value_error("values[0][x]", "\"\\xff\""))},
      {"truncated utf-8", "x=a\xC3", requirement_error(value_error("values[0][x]", "\"a\\xc3\""))},
      {"surrogate bytes", "x=\xED\xA0\x80",
       requirement_error(value_error("values[0][x]", "\"\\xed\\xa0\\x80\""))},
      {"no-break space", "x=a\xC2\xA0",
       requirement_error(value_error("values[0][x]", "\"a\\u00a0\""))},
      {"zero width space", "x=\xE2\x80\x8B",
       requirement_error(value_error("values[0][x]", "\"\\u200b\""))},
      {"tag character", "x=\xF3\xA0\x80\x81",
       requirement_error(value_error("values[0][x]", "\"\\U000e0001\""))},
      {"emoji stays", "x=\xF0\x9F\x98\x80",
       requirement_error(value_error("values[0][x]", "\"\xF0\x9F\x98\x80\""))},
      {"double quote", "x=a\"b", requirement_error(value_error("values[0][x]", "\"a\\\"b\""))},
      {"backslash", "x=a\\b", requirement_error(value_error("values[0][x]", "\"a\\\\b\""))},
  });
}

TEST(LabelSelectorTest, KeywordsAreCaseSensitiveAndUsableAsKeysAndValues) {
  expect_parses({
      {"in in (in)", "in in (in)", "in in (in)"},
      {"notin notin (notin)", "notin notin (notin)", "notin notin (notin)"},
      {"value in", "x=in", "x=in"},
      {"key in, value notin", "in=notin", "in=notin"},
      {"keywords inside a set", "a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"},
      {"keyword keys exist", "in,notin", "in,notin"},
      {"negated keyword key", "!in", "!in"},
      {"upper-case key", "IN=a", "IN=a"},
  });
  expect_errors({
      {"upper-case IN is not an operator", "env IN (a)",
       requirement_error(cat({"found 'IN', ", kExpectedOperator}))},
      {"misspelt operator", "x nott in (y)",
       requirement_error(cat({"found 'nott', ", kExpectedOperator}))},
  });
}

TEST(LabelSelectorTest, HandlesNulBytesAsUpstreamReadDoes) {
  // Upstream's read() returns 0 for a NUL byte: it ends the input where a token would start and
  // is swallowed when it ends a token.
  using namespace std::string_literals;
  expect_parses({
      {"nul after whitespace ends the input", "a=b \0garbage"s, "a=b"},
      {"nul as the only byte", "\0"s, ""},
      {"nul after an operator is skipped", "a=\0b"s, "a=b"},
      {"nul after a key is skipped", "a\0=b"s, "a=b"},
  });
  expect_errors(
      {{"nul between identifiers", "a=b\0c"s, "found 'c', expected: ',' or 'end of string'"}});
}

// --- grammar -------------------------------------------------------------------------------

TEST(LabelSelectorTest, EmptyInputIsTheEverythingSelector) {
  for (const std::string_view input : {"", " ", "\t\r\n  "}) {
    SCOPED_TRACE(input);
    const auto selector = LabelSelector::parse(input);
    ASSERT_TRUE(selector.has_value());
    EXPECT_TRUE(selector->empty());
    EXPECT_EQ(selector->to_string(), "");
    EXPECT_TRUE(selector->matches({}));
    EXPECT_TRUE(selector->matches({{"x", "y"}}));
  }
  EXPECT_TRUE(LabelSelector().empty());
  EXPECT_TRUE(LabelSelector().matches({{"x", "y"}}));
  EXPECT_EQ(LabelSelector().to_string(), "");
}

TEST(LabelSelectorTest, ParsesUpstreamGoodStrings) {
  // TestSelectorParse (String() is the input without spaces) and TestSetSelectorParser.
  expect_parses({
      {"three equalities", "x=a,y=b,z=c", "x=a,y=b,z=c"},
      {"not-equals and equals", "x!=a,y=b", "x!=a,y=b"},
      {"empty value", "x=", "x="},
      {"empty value then space", "x= ", "x="},
      {"two empty values", "x=,z= ", "x=,z="},
      {"two spaced empty values", "x= ,z= ", "x=,z="},
      {"empty not-equals value", "a!=", "a!="},
      {"negation", "!x", "!x"},
      {"gt", "x>1", "x>1"},
      {"gt and lt", "x>1,z<5", "x>1,z<5"},
      {"dns prefixed key", "this-is-a-dns.domain.com/key-with-dash",
       "this-is-a-dns.domain.com/key-with-dash"},
      {"dns prefixed key in", "this-is-another-dns.domain.com/key-with-dash in (so,what)",
       "this-is-another-dns.domain.com/key-with-dash in (so,what)"},
      {"numeric prefix", "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
       "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"},
      {"in two values", "x in (abc,def)", "x in (abc,def)"},
      {"in trailing comma", "x in (abc,)", "x in (,abc)"},
      {"in empty", "x in ()", "x in ()"},
      {"mixed set", "x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"},
      {"exists and in", "x,y in (a)", "x,y in (a)"},
      {"equals", "x=a", "x=a"},
      {"lt", "x<7", "x<7"},
      {"equals and not-equals", "x=a,y!=b", "x=a,y!=b"},
      {"equals not-equals in", "x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"},
      {"notin spaced empty", "x notin ( )", "x notin ()"},
      {"notin leading comma", "x notin (, a)", "x notin (,a)"},
      {"open paren without space", "a in(b)", "a in (b)"},
      {"upstream requirement keys", "1foo in (bar),1234 in (bar)", "1234 in (bar),1foo in (bar)"},
      {"gt and lt bounds", "y>1,z<6", "y>1,z<6"},
      {"contradiction exists", "a,!a", "a,!a"},
      {"contradiction equality", "a=b,a!=b", "a=b,a!=b"},
  });
}

TEST(LabelSelectorTest, RejectsMalformedInputWithUpstreamMessages) {
  expect_errors({
      // TestSelectorParse / TestSetSelectorParser bad strings.
      {"chained equalities", "x==a==b", "found '==', expected: ',' or 'end of string'"},
      {"negation with value", "!x=a", "found '=', expected: ',' or 'end of string'"},
      {"lt non-integer", "x<a", requirement_error(int_error("values[0]", "\"a\""))},
      {"double comma", "x,,y", "found ',', expected: identifier after ','"},
      {"leading comma", ",x,y", "found ',', expected: !, identifier, or 'end of string'"},
      {"trailing comma", "a in (xyz),", "found '', expected: identifier after ','"},
      {"trailing comma after key", "x,", "found '', expected: identifier after ','"},
      {"only a comma", ",", "found ',', expected: !, identifier, or 'end of string'"},
      {"no comma between requirements", "a in (xyz)b notin ()",
       "found 'b', expected: ',' or 'end of string'"},
      {"no comma in set", "a in (xyz abc)", requirement_error("found 'abc', expected: ',' or ')'")},
      {"unclosed notin", "a notin(",
       requirement_error("found '', expected: ',', ')' or identifier")},
      {"key then paren", "a (", requirement_error(cat({"found '(', ", kExpectedOperator}))},
      {"lone paren", "(", "found '(', expected: !, identifier, or 'end of string'"},
      // Part B examples.
      {"value then identifier", "x=a b", "found 'b', expected: ',' or 'end of string'"},
      {"two sets", "a in (x)(y)", "found '(', expected: ',' or 'end of string'"},
      {"in without paren", "a in x", requirement_error("found 'x' expected: '('")},
      {"in at end", "a in", requirement_error("found '' expected: '('")},
      {"two identifiers in set", "a in (x y)",
       requirement_error("found 'y', expected: ',' or ')'")},
      // The remaining parser branches.
      {"lone bang", "!", requirement_error("found '', expected: identifier")},
      {"bang then comma", "!,a", requirement_error("found ',', expected: identifier")},
      {"operator first", "=a", "found '=', expected: !, identifier, or 'end of string'"},
      {"close paren first", ")", "found ')', expected: !, identifier, or 'end of string'"},
      {"in then operator", "a in =", requirement_error("found '=' expected: '('")},
      {"set starts with operator", "a in (=)",
       requirement_error("found '=', expected: ',', ')' or identifier")},
      {"set not closed", "a in (b", requirement_error("found '', expected: ',' or ')'")},
      {"set ends after comma", "a in (b,",
       requirement_error("found '', expected: ',', or identifier")},
      {"operator after comma in set", "a in (b,=)",
       requirement_error("found '=', expected: ',', or identifier")},
      {"gt then paren", "a>(1)", requirement_error("found '(', expected: identifier")},
      {"requirement after bang key", "!a b", "found 'b', expected: ',' or 'end of string'"},
  });
}

TEST(LabelSelectorTest, ValidatesKeyBeforeReadingOperator) {
  expect_errors({
      {"leading dash", "-a", key_error("\"-a\"", kNamePartError)},
      {"bad key then bad syntax", "-a in", key_error("\"-a\"", kNamePartError)},
      {"bad key then paren", "-a (", key_error("\"-a\"", kNamePartError)},
      {"bad negated key", "!a-", key_error("\"a-\"", kNamePartError)},
      {"bad key after good requirement", "a=b,c:d=e", key_error("\"c:d\"", kNamePartError)},
      {"too many slashes", "a/b/c=(", key_error("\"a/b/c\"", kTooManySlashesError)},
      {"upper-case prefix", "Example.com/a", key_error("\"Example.com/a\"", kPrefixPartError)},
      {"key over 253 bytes", std::string(254, 'a'),
       key_error(cat({"\"", std::string(254, 'a'), "\""}),
                 "name part must be no more than 63 bytes")},
  });
}

TEST(LabelSelectorTest, DeduplicatesAndSortsValueSets) {
  struct Case {
    std::string name;
    std::string input;
    std::vector<std::string> values;
  };
  const std::vector<Case> cases = {
      {"unsorted with duplicates", "x in (b,a,b,a)", {"a", "b"}},
      {"empty parens", "x in ()", {""}},
      {"lone comma", "x in (,)", {""}},
      {"trailing comma", "x in (a,)", {"", "a"}},
      {"double comma", "x in (a,,b)", {"", "a", "b"}},
      {"leading comma", "x notin (, a)", {"", "a"}},
      {"three commas", "x in (a,,,b)", {"", "a", "b"}},
      {"double comma before paren", "x in (a,,)", {"", "a"}},
      {"only commas", "x in (,,)", {""}},
      {"leading double comma", "x in (,,a)", {"", "a"}},
      {"single equals value", "x=v", {"v"}},
      {"empty equals value", "x=", {""}},
      {"exists has no values", "x", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto selector = LabelSelector::parse(c.input);
    ASSERT_TRUE(selector.has_value()) << selector.error().message;
    ASSERT_EQ(selector->requirements().size(), 1u);
    EXPECT_EQ(selector->requirements()[0].values, c.values);
  }
  // Byte-wise order: digits, then upper case, then lower case.
  const auto sorted = LabelSelector::parse("x in (b,B,a1,A1,9,b)");
  ASSERT_TRUE(sorted.has_value());
  EXPECT_EQ(sorted->requirements()[0].values,
            (std::vector<std::string>{"9", "A1", "B", "a1", "b"}));
}

TEST(LabelSelectorTest, SortsRequirementsByKeyKeepingInputOrderForEqualKeys) {
  expect_parses({
      {"deterministic", "x=a,a=x", "a=x,x=a"},
      {"already sorted", "a=x,x=a", "a=x,x=a"},
      {"upper case first", "a=2,B=1", "B=1,a=2"},
      {"punctuation order", "ab=4,a/b=3,a.b=1,a-b=2", "a-b=2,a.b=1,a/b=3,ab=4"},
      {"equal keys keep order", "a!=1,a", "a!=1,a"},
      {"equal keys keep order reversed", "a,a!=1", "a,a!=1"},
      {"equal keys among others", "b,a=2,a=1,!a", "a=2,a=1,!a,b"},
      {"twelve requirements sharing keys", "k=1,j,k=2,j!=1,k=3,j=2,k=4,j=3,k=5,j=4,k=6,j=5",
       "j,j!=1,j=2,j=3,j=4,j=5,k=1,k=2,k=3,k=4,k=5,k=6"},
      // Distinct keys: any correct sort gives Go's order, whatever the size.
      {"thirteen distinct keys", "m,l,k,j,i,h,g,f,e,d,c,b,a", "a,b,c,d,e,f,g,h,i,j,k,l,m"},
  });
}

// --- String() ------------------------------------------------------------------------------

TEST(LabelSelectorTest, PrintsCanonicalForm) {
  expect_parses({
      // Part B §B3 table.
      {"exists", "k", "k"},
      {"does not exist", "!k", "!k"},
      {"equals", "k=v", "k=v"},
      {"double equals preserved", "k==v", "k==v"},
      {"not equals", "k!=v", "k!=v"},
      {"in", "k in (v2,v1)", "k in (v1,v2)"},
      {"notin", "k notin (v2,v1)", "k notin (v1,v2)"},
      {"gt", "k>1", "k>1"},
      {"lt", "k<1", "k<1"},
      {"empty in", "x in ()", "x in ()"},
      {"empty first in set", "x in (,abc)", "x in (,abc)"},
      {"empty first in notin", "x notin (def,,abc)", "x notin (,abc,def)"},
      // Part B §B3 examples.
      {"keys sorted", "x=a,a=x", "a=x,x=a"},
      {"mixed", "x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"},
      {"ip values", "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
       "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"},
      {"keyword values", "a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"},
      {"tier", "tier notin (frontend, backend)", "tier notin (backend,frontend)"},
      // TestToString, written as selector text.
      {"to string 1", "x in (abc,def),y notin (jkl),z", "x in (abc,def),y notin (jkl),z"},
      {"to string 2", "x notin (abc,def),y!=jkl,!z", "x notin (abc,def),y!=jkl,!z"},
      {"to string 3", "x notin (abc),y in (jkl,mno),z notin ()",
       "x notin (abc),y in (jkl,mno),z notin ()"},
      {"to string 4", "x=abc,y==jkl,z!=a,z", "x=abc,y==jkl,z!=a,z"},
      {"to string 5", "x>2,y<8,z", "x>2,y<8,z"},
      {"leading zeros kept", "a>01", "a>01"},
  });
}

TEST(LabelSelectorTest, PrintsDirectRequirementsSortedButNotDeduplicated) {
  struct Case {
    std::string name;
    LabelSelector::Requirement requirement;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"unsorted duplicates", {"k", Op::In, {"b", "a", "a"}}, "k in (a,a,b)"},
      {"notin unsorted", {"k", Op::NotIn, {"def", "abc"}}, "k notin (abc,def)"},
      {"single value", {"k", Op::NotIn, {""}}, "k notin ()"},
      {"no values", {"k", Op::In, {}}, "k in ()"},
      {"exists ignores values", {"k", Op::Exists, {}}, "k"},
      {"does not exist", {"k", Op::DoesNotExist, {}}, "!k"},
      {"equals", {"k", Op::Equals, {"v"}}, "k=v"},
      {"double equals", {"k", Op::DoubleEquals, {"v"}}, "k==v"},
      {"not equals", {"k", Op::NotEquals, {"v"}}, "k!=v"},
      {"gt", {"k", Op::GreaterThan, {"2"}}, "k>2"},
      {"lt", {"k", Op::LessThan, {"8"}}, "k<8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.requirement.to_string(), c.want);
  }
}

// --- matching ------------------------------------------------------------------------------

struct MatchCase {
  std::string name;
  std::string selector;
  Labels labels;
  bool want;
};

void expect_matches(const std::vector<MatchCase>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto selector = LabelSelector::parse(c.selector);
    ASSERT_TRUE(selector.has_value()) << selector.error().message;
    EXPECT_EQ(selector->matches(c.labels), c.want);
  }
}

TEST(LabelSelectorTest, MatchesUpstreamVectors) {
  const Labels labelset = {{"foo", "bar"}, {"baz", "blah"}};
  expect_matches({
      // TestSelectorMatches.
      {"empty", "", {{"x", "y"}}, true},
      {"equals", "x=y", {{"x", "y"}}, true},
      {"two equals", "x=y,z=w", {{"x", "y"}, {"z", "w"}}, true},
      {"two not equals", "x!=y,z!=w", {{"x", "z"}, {"z", "a"}}, true},
      {"keywords in exact match", "notin=in", {{"notin", "in"}}, true},
      {"exists", "x", {{"x", "z"}}, true},
      {"does not exist", "!x", {{"y", "z"}}, true},
      {"gt", "x>1", {{"x", "2"}}, true},
      {"lt", "x<1", {{"x", "0"}}, true},
      {"equals absent", "x=z", {}, false},
      {"equals other value", "x=y", {{"x", "z"}}, false},
      {"one equals fails", "x=y,z=w", {{"x", "w"}, {"z", "w"}}, false},
      {"one not equals fails", "x!=y,z!=w", {{"x", "z"}, {"z", "w"}}, false},
      {"exists absent", "x", {{"y", "z"}}, false},
      {"does not exist present", "!x", {{"x", "z"}}, false},
      {"gt fails", "x>1", {{"x", "0"}}, false},
      {"lt fails", "x<1", {{"x", "2"}}, false},
      {"labelset foo", "foo=bar", labelset, true},
      {"labelset baz", "baz=blah", labelset, true},
      {"labelset both", "foo=bar,baz=blah", labelset, true},
      {"labelset wrong foo", "foo=blah", labelset, false},
      {"labelset wrong baz", "baz=bar", labelset, false},
      {"labelset extra key", "foo=bar,foobar=bar,baz=blah", labelset, false},
      // TestRequirementSelectorMatching, written as selector text.
      {"in and notin", "x in (foo),y notin (alpha)", {{"x", "foo"}, {"y", "baz"}}, true},
      {"in and in", "x in (foo),y in (alpha)", {{"x", "foo"}, {"y", "baz"}}, false},
      {"notin empty absent", "x notin (),y", {{"y", ""}}, true},
      {"does not exist and exists", "!x,y", {{"y", ""}}, true},
      {"notin empty and does not exist", "x notin (),!y", {{"y", ""}}, false},
      {"in empty absent", "x in ()", {{"y", "baz"}}, false},
      {"gt integer", "z>1", {{"z", "2"}}, true},
      {"gt non-integer label", "z>1", {{"z", "v2"}}, false},
  });
}

TEST(LabelSelectorTest, AbsentKeysMatchOnlyNegativeOperators) {
  expect_matches({
      {"exists with empty value", "x", {{"x", ""}}, true},
      {"equals empty matches empty", "x=", {{"x", ""}}, true},
      {"equals empty does not match absent", "x=", {}, false},
      {"equals empty does not match value", "x=", {{"x", "v"}}, false},
      {"in empty matches empty", "x in ()", {{"x", ""}}, true},
      {"in empty does not match absent", "x in ()", {}, false},
      {"not equals matches absent", "x!=y", {}, true},
      {"not equals matches other", "x!=y", {{"x", "z"}}, true},
      {"not equals fails on value", "x!=y", {{"x", "y"}}, false},
      {"notin empty matches absent", "x notin ()", {}, true},
      {"notin empty matches value", "x notin ()", {{"x", "v"}}, true},
      {"notin empty fails on empty", "x notin ()", {{"x", ""}}, false},
      {"notin fails on member", "x notin (a,b)", {{"x", "b"}}, false},
      {"in matches member", "x in (a,b)", {{"x", "b"}}, true},
      {"double equals", "x==y", {{"x", "y"}}, true},
      {"gt absent", "x>1", {}, false},
      {"lt absent", "x<1", {}, false},
      {"contradiction exists", "a,!a", {{"a", "1"}}, false},
      {"contradiction exists absent", "a,!a", {}, false},
      {"contradiction equality", "a=b,a!=b", {{"a", "b"}}, false},
      {"contradiction equality other", "a=b,a!=b", {{"a", "c"}}, false},
      {"label values are not validated", "x!=y", {{"x", "not a label value!"}}, true},
  });
}

TEST(LabelSelectorTest, ComparesGtLtAsBase10Int64) {
  expect_matches({
      {"plus sign", "x>1", {{"x", "+2"}}, true},
      {"minus sign", "x<0", {{"x", "-5"}}, true},
      {"minus sign not greater", "x>0", {{"x", "-5"}}, false},
      {"leading zero", "x<2", {{"x", "01"}}, true},
      {"leading zero equals bound", "x>1", {{"x", "01"}}, false},
      {"zero bound with leading zeros", "x>00", {{"x", "1"}}, true},
      {"strict greater", "x>2", {{"x", "2"}}, false},
      {"strict less", "x<2", {{"x", "2"}}, false},
      {"leading space", "x>1", {{"x", " 2"}}, false},
      {"trailing space", "x>1", {{"x", "2 "}}, false},
      {"decimal", "x>1", {{"x", "2.0"}}, false},
      {"hex", "x>1", {{"x", "0x10"}}, false},
      {"underscore", "x>1", {{"x", "1_000"}}, false},
      {"empty", "x<1", {{"x", ""}}, false},
      {"sign only", "x<1", {{"x", "-"}}, false},
      {"letters", "x<1", {{"x", "abc"}}, false},
      {"overflow", "x>1", {{"x", "9223372036854775808"}}, false},
      {"max int64", "x>9223372036854775806", {{"x", "9223372036854775807"}}, true},
      {"max bound", "x<9223372036854775807", {{"x", "9223372036854775806"}}, true},
      {"min int64", "x<0", {{"x", "-9223372036854775808"}}, true},
      {"below min int64", "x<0", {{"x", "-9223372036854775809"}}, false},
  });
}

TEST(LabelSelectorTest, MatchesDirectRequirementsDefensively) {
  struct Case {
    std::string name;
    LabelSelector::Requirement requirement;
    Labels labels;
    bool want;
  };
  const std::vector<Case> cases = {
      {"gt with negative bound", {"x", Op::GreaterThan, {"-1"}}, {{"x", "0"}}, true},
      {"gt with two values", {"x", Op::GreaterThan, {"1", "2"}}, {{"x", "5"}}, false},
      {"gt with no values", {"x", Op::GreaterThan, {}}, {{"x", "5"}}, false},
      {"lt with non-integer bound", {"x", Op::LessThan, {"abc"}}, {{"x", "5"}}, false},
      {"in with duplicates", {"x", Op::In, {"a", "a"}}, {{"x", "a"}}, true},
      {"in with no values", {"x", Op::In, {}}, {{"x", ""}}, false},
      {"notin with no values", {"x", Op::NotIn, {}}, {{"x", ""}}, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(c.requirement.matches(c.labels), c.want);
  }
}

// --- Gt/Lt and value validation at parse time ----------------------------------------------

TEST(LabelSelectorTest, RequiresGtLtBoundsToBeUnsignedIntegerLabelValues) {
  expect_parses({
      {"max int64", "a>9223372036854775807", "a>9223372036854775807"},
      {"leading zeros", "a>01", "a>01"},
      {"zero", "a<0", "a<0"},
  });
  expect_errors({
      {"negative", "a>-1", requirement_error(value_error("values[0][a]", "\"-1\""))},
      {"plus", "a>+1", requirement_error(value_error("values[0][a]", "\"+1\""))},
      {"overflow", "a>9223372036854775808",
       requirement_error(int_error("values[0]", "\"9223372036854775808\""))},
      {"word", "foo>bar", requirement_error(int_error("values[0]", "\"bar\""))},
      {"lt word", "barz<blah", requirement_error(int_error("values[0]", "\"blah\""))},
      {"empty bound", "a>", requirement_error(int_error("values[0]", "\"\""))},
      {"empty bound before comma", "a<,b", requirement_error(int_error("values[0]", "\"\""))},
      {"both rules fail", "a>-x",
       requirement_error(cat({"[", int_error("values[0]", "\"-x\""), ", ",
                              value_error("values[0][a]", "\"-x\""), "]"}))},
  });
}

TEST(LabelSelectorTest, ValidatesEveryValueAtItsSortedIndex) {
  expect_errors({
      {"bad value", "x=-a", requirement_error(value_error("values[0][x]", "\"-a\""))},
      {"slash in value", "x=a/b", requirement_error(value_error("values[0][x]", "\"a/b\""))},
      {"sorted index", "k in (z,-b)", requirement_error(value_error("values[0][k]", "\"-b\""))},
      {"second index", "k in (a,b-)", requirement_error(value_error("values[1][k]", "\"b-\""))},
      {"two bad values", "k notin (a-,-b)",
       requirement_error(cat({"[", value_error("values[0][k]", "\"-b\""), ", ",
                              value_error("values[1][k]", "\"a-\""), "]"}))},
      {"value too long", "k=" + std::string(64, 'v'),
       requirement_error(cat({"values[0][k]: Invalid value: \"", std::string(64, 'v'),
                              "\": must be no more than 63 bytes"}))},
      {"prefixed key in path", "a.io/k=_",
       requirement_error(value_error("values[0][a.io/k]", "\"_\""))},
  });
  expect_parses({{"value of 63 bytes", "k=" + std::string(63, 'v'), "k=" + std::string(63, 'v')}});
}

// --- validation ----------------------------------------------------------------------------

TEST(LabelSelectorTest, ValidatesLabelKeys) {
  const std::string name63(63, 'a');
  const std::string prefix253 = std::string(61, 'a') + "." + std::string(63, 'b') + "." +
                                std::string(63, 'c') + "." + std::string(63, 'd');
  ASSERT_EQ(prefix253.size(), 253u);
  struct Case {
    std::string name;
    std::string key;
    std::string want;
  };
  const std::string name_empty = "name part must be non-empty";
  const std::vector<Case> cases = {
      {"single letter", "a", ""},
      {"upper case", "A", ""},
      {"digit", "1", ""},
      {"upstream examples", "MyName", ""},
      {"dotted", "my.name", ""},
      {"digits and dash", "123-abc", ""},
      {"repeated dots", "a..b", ""},
      {"repeated underscores", "a__b", ""},
      {"prefixed", "example.com/MyName", ""},
      {"ip-like prefix", "1.2.3.4/5678", ""},
      {"prefix with dash", "my-domain.io/x", ""},
      {"longest name", name63, ""},
      {"longest key", prefix253 + "/" + name63, ""},
      {"empty", "", name_empty + "; " + std::string(kNamePartError)},
      {"leading dash", "-a", std::string(kNamePartError)},
      {"trailing dash", "a-", std::string(kNamePartError)},
      {"trailing underscore", "a_", std::string(kNamePartError)},
      {"trailing newline", "a\n", std::string(kNamePartError)},
      {"space", "a b", std::string(kNamePartError)},
      {"non-ascii", "\xC3\xA1", std::string(kNamePartError)},
      {"name too long", name63 + "a", "name part must be no more than 63 bytes"},
      {"name too long and bad", name63 + "-",
       "name part must be no more than 63 bytes; " + std::string(kNamePartError)},
      {"empty prefix", "/a", "prefix part must be non-empty"},
      {"empty name", "a/", name_empty + "; " + std::string(kNamePartError)},
      {"only a slash", "/",
       "prefix part must be non-empty; " + name_empty + "; " + std::string(kNamePartError)},
      {"two slashes", "a/b/c", std::string(kTooManySlashesError)},
      {"two slashes empty", "//", std::string(kTooManySlashesError)},
      {"upper-case prefix", "Example.com/a", std::string(kPrefixPartError)},
      {"empty prefix label", "a..b/c", std::string(kPrefixPartError)},
      {"underscore in prefix", "a_b/c", std::string(kPrefixPartError)},
      {"prefix label starts with dash", "-a.com/x", std::string(kPrefixPartError)},
      {"prefix label ends with dash", "a-.com/x", std::string(kPrefixPartError)},
      {"prefix ends with dot", "a./x", std::string(kPrefixPartError)},
      {"prefix too long", "a" + prefix253 + "/x", "prefix part must be no more than 253 bytes"},
      {"prefix too long and bad", prefix253 + "-/x",
       "prefix part must be no more than 253 bytes; " + std::string(kPrefixPartError)},
      {"bad prefix and name", "A/-",
       std::string(kPrefixPartError) + "; " + std::string(kNamePartError)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(validate_label_key(c.key), c.want);
  }
}

TEST(LabelSelectorTest, ValidatesLabelValues) {
  const std::string value63(63, 'v');
  struct Case {
    std::string name;
    std::string value;
    std::string want;
  };
  const std::string too_long = "must be no more than 63 bytes";
  const std::vector<Case> cases = {
      {"empty", "", ""},
      {"letter", "a", ""},
      {"upstream examples", "MyValue", ""},
      {"underscore inside", "my_value", ""},
      {"digits", "12345", ""},
      {"release", "v1.2.3-rc.1", ""},
      {"dotted digits", "0.1.2", ""},
      {"repeated inner punctuation", "a--b__c..d", ""},
      {"longest", value63, ""},
      {"too long", value63 + "v", too_long},
      {"too long and bad", value63 + "-", too_long + "; " + std::string(kValueError)},
      {"leading dash", "-a", std::string(kValueError)},
      {"trailing dash", "a-", std::string(kValueError)},
      {"leading underscore", "_a", std::string(kValueError)},
      {"trailing dot", "a.", std::string(kValueError)},
      {"slash", "a/b", std::string(kValueError)},
      {"colon", "a:b", std::string(kValueError)},
      {"space", "a b", std::string(kValueError)},
      {"plus", "+1", std::string(kValueError)},
      {"dollar", "$", std::string(kValueError)},
      {"non-ascii", "\xC3\xA1", std::string(kValueError)},
      {"trailing newline", "a\n", std::string(kValueError)},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(validate_label_value(c.value), c.want);
  }
}

// --- from_set ------------------------------------------------------------------------------

TEST(LabelSelectorTest, BuildsEqualitySelectorsFromSets) {
  const Labels labelset = {{"foo", "bar"}, {"baz", "blah"}};
  struct Case {
    std::string name;
    Labels set;
    std::string want_string;
    bool want_match;  // against labelset
  };
  const std::vector<Case> cases = {
      // TestSetMatches.
      {"empty set", {}, "", true},
      {"foo", {{"foo", "bar"}}, "foo=bar", true},
      {"baz", {{"baz", "blah"}}, "baz=blah", true},
      {"both", {{"foo", "bar"}, {"baz", "blah"}}, "baz=blah,foo=bar", true},
      {"wrong value", {{"foo", "blah"}}, "foo=blah", false},
      // Requirement order is by key, not by the whole "k=v" string as labels.Set prints.
      {"sorted by key", {{"a", "2"}, {"a-b", "1"}}, "a=2,a-b=1", false},
      // No validation.
      {"unvalidated", {{"k", "=not valid"}}, "k==not valid", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const LabelSelector selector = LabelSelector::from_set(c.set);
    EXPECT_EQ(selector.empty(), c.set.empty());
    EXPECT_EQ(selector.to_string(), c.want_string);
    EXPECT_EQ(selector.matches(labelset), c.want_match);
    for (const auto& requirement : selector.requirements()) {
      EXPECT_EQ(requirement.op, Op::Equals);
      EXPECT_EQ(requirement.values.size(), 1u);
    }
  }
}

// --- metav1.LabelSelector echo -------------------------------------------------------------

TEST(LabelSelectorTest, EchoesAsMetav1LabelSelector) {
  struct Case {
    std::string name;
    std::string selector;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"metrics-api example", "method=GET", R"({"matchLabels":{"method":"GET"}})"},
      {"empty selector", "", "{}"},
      {"double equals", "x==y", R"({"matchLabels":{"x":"y"}})"},
      {"empty value", "x=", R"({"matchLabels":{"x":""}})"},
      {"labels sorted", "b=2,a=1", R"({"matchLabels":{"a":"1","b":"2"}})"},
      {"repeated key keeps last", "a=1,a=2", R"({"matchLabels":{"a":"2"}})"},
      {"in", "tier in (frontend,backend)",
       R"({"matchExpressions":[{"key":"tier","operator":"In","values":["backend","frontend"]}]})"},
      {"notin", "tier notin (b,a)",
       R"({"matchExpressions":[{"key":"tier","operator":"NotIn","values":["a","b"]}]})"},
      {"in empty", "x in ()",
       R"({"matchExpressions":[{"key":"x","operator":"In","values":[""]}]})"},
      {"exists", "canary", R"({"matchExpressions":[{"key":"canary","operator":"Exists"}]})"},
      {"does not exist", "!canary",
       R"({"matchExpressions":[{"key":"canary","operator":"DoesNotExist"}]})"},
      {"hpa example", "app=web,tier in (backend,frontend),!canary",
       R"({"matchLabels":{"app":"web"},"matchExpressions":[)"
       R"({"key":"canary","operator":"DoesNotExist"},)"
       R"({"key":"tier","operator":"In","values":["backend","frontend"]}]})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto selector = LabelSelector::parse(c.selector);
    ASSERT_TRUE(selector.has_value()) << selector.error().message;
    const auto json = selector->to_label_selector_json();
    ASSERT_TRUE(json.has_value()) << json.error().message;
    EXPECT_EQ(boost::json::serialize(*json), c.want);
  }
}

TEST(LabelSelectorTest, RefusesToEchoOperatorsMetav1CannotExpress) {
  struct Case {
    std::string name;
    std::string selector;
    std::string op;
  };
  const std::vector<Case> cases = {
      {"not equals", "method=GET,code!=500", "!="},
      {"gt", "x>1", ">"},
      {"lt", "x<1", "<"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto selector = LabelSelector::parse(c.selector);
    ASSERT_TRUE(selector.has_value()) << selector.error().message;
    const auto json = selector->to_label_selector_json();
    ASSERT_FALSE(json.has_value());
    EXPECT_EQ(json.error().code, 400);
    EXPECT_EQ(json.error().reason, StatusReason::BadRequest);
    EXPECT_NE(json.error().message.find("operator \"" + c.op + "\""), std::string::npos)
        << json.error().message;
    EXPECT_NE(json.error().message.find("cannot be used in a metric label selector echo"),
              std::string::npos)
        << json.error().message;
  }
}

}  // namespace
}  // namespace kscale::core
