/* Inputs the libFuzzer targets (tests/fuzz) found, kept as unit tests. Each
 * input is also a corpus entry of its target under tests/fuzz/corpus/. */
#include "resilient/whip/http.h"

#include <gtest/gtest.h>

using namespace resilient::whip;

static HttpResponse
problem (const std::string &body)
{
  HttpResponse r;
  r.status = 400;
  r.content_type = "application/problem+json";
  r.body = body;
  return r;
}

/* fuzz_problem_json, corpus/problem_json/finding-bad-unicode-escape: a
 * "\u" escape not followed by four hex digits made std::stoul throw out of
 * extract_problem, so a WHIP/WHEP server's error body terminated the
 * process. */
TEST (FuzzFindings, ProblemJsonWithABadUnicodeEscapeIsIgnored)
{
  std::string title = "x", detail = "x";
  extract_problem (problem ("{\"title\":\"a\\u00e9\\u\x8c"
                            "d83d\\ude00\"}"),
                   title, detail);
  EXPECT_EQ (title, "");
  EXPECT_EQ (detail, "");
  /* stoul also took a sign, spaces or a 0x prefix as hex */
  for (const char *bad : { "\\u-001", "\\u 12f", "\\u0x1f", "\\u+00A" }) {
    extract_problem (problem (std::string ("{\"title\":\"") + bad + "\"}"),
                     title, detail);
    EXPECT_EQ (title, "") << bad;
  }
  /* a well-formed escape still decodes */
  extract_problem (problem ("{\"title\":\"caf\\u00E9\",\"detail\":\"d\"}"),
                   title, detail);
  EXPECT_EQ (title, "caf\xc3\xa9");
  EXPECT_EQ (detail, "d");
  /* and the verdict of such an answer is the plain refusal */
  auto v = classify (Protocol::Whip, Request::Post,
                     problem ("{\"title\":\"\\uZZZZ\"}"), 1700000000);
  EXPECT_EQ (v.outcome, Outcome::Refused);
  EXPECT_EQ (v.problem_title, "");
}
