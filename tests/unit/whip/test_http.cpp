#include "resilient/whip/http.h"

#include <gtest/gtest.h>

using namespace resilient;
using namespace resilient::whip;

static constexpr std::int64_t kNow = 1700000000;
static const char *kAnswer = "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";

static HttpResponse
resp (int status, std::string location = {}, std::string body = {},
    std::string ct = "application/sdp")
{
  HttpResponse r;
  r.status = status;
  r.location = std::move (location);
  r.body = std::move (body);
  r.content_type = body.empty () && ct == "application/sdp" ? "" : ct;
  if (!r.body.empty ())
    r.content_type = ct;
  return r;
}

TEST (WhipHttp, Created201WithLocationIsSuccess)
{
  PostExchange x (Protocol::Whip, "http://h/whip/cam");
  auto r = resp (201, "/whip/session/7", kAnswer);
  r.etag = "\"abc\"";
  r.links = { "<stun:s.example>; rel=\"ice-server\"" };
  auto res = x.on_response (r, kNow);
  EXPECT_EQ (res.verdict.outcome, Outcome::Ok);
  EXPECT_EQ (res.verdict.severity, Severity::None);
  EXPECT_FALSE (res.verdict.warning);
  EXPECT_EQ (res.session_url, "http://h/whip/session/7");
  EXPECT_EQ (res.etag, "\"abc\"");
  EXPECT_EQ (res.sdp, kAnswer);
  ASSERT_EQ (res.ice_servers.size (), 1u);
  EXPECT_EQ (res.ice_servers[0].url, "stun:s.example");
}

TEST (WhipHttp, Created201WithoutLocationOrBodyIsAClearError)
{
  auto v = classify (Protocol::Whip, Request::Post, resp (201, "", kAnswer),
      kNow);
  EXPECT_EQ (v.severity, Severity::Fatal);
  EXPECT_NE (v.message.find ("Location"), std::string::npos) << v.message;
  v = classify (Protocol::Whip, Request::Post, resp (201, "/s"), kNow);
  EXPECT_EQ (v.severity, Severity::Fatal);
  EXPECT_NE (v.message.find ("answer"), std::string::npos) << v.message;
}

TEST (WhipHttp, Legacy200IsAcceptedWithAWarning)
{
  PostExchange x (Protocol::Whep, "http://h/whep");
  auto res = x.on_response (resp (200, "s/1", kAnswer), kNow);
  EXPECT_EQ (res.verdict.outcome, Outcome::OkLegacy);
  EXPECT_TRUE (res.verdict.warning);
  EXPECT_EQ (res.session_url, "http://h/s/1");
  /* 200 without a Location cannot be torn down: refused */
  auto v = classify (Protocol::Whep, Request::Post, resp (200, "", kAnswer),
      kNow);
  EXPECT_EQ (v.severity, Severity::Fatal);
}

TEST (WhipHttp, AnswerWithWrongContentTypeWarns)
{
  PostExchange x (Protocol::Whip, "http://h/whip");
  auto res = x.on_response (resp (201, "/s", kAnswer, "text/plain"), kNow);
  EXPECT_EQ (res.verdict.outcome, Outcome::Ok);
  EXPECT_TRUE (res.verdict.warning);
  EXPECT_NE (res.verdict.message.find ("text/plain"), std::string::npos);
}

TEST (WhipHttp, Redirect307And308AreFollowedAndLocationResolvedAtTheEnd)
{
  PostExchange x (Protocol::Whip, "http://origin.example/whip/cam", 3);
  auto r1 = x.on_response (resp (307, "http://edge.example:8080/in/cam"), kNow);
  EXPECT_EQ (r1.verdict.outcome, Outcome::Redirect);
  EXPECT_EQ (r1.next_url, "http://edge.example:8080/in/cam");
  EXPECT_EQ (x.url (), r1.next_url);
  /* relative second hop resolves against the first target */
  auto r2 = x.on_response (resp (308, "cam2"), kNow);
  EXPECT_EQ (r2.next_url, "http://edge.example:8080/in/cam2");
  EXPECT_EQ (x.hops (), 2);
  /* path-only Location resolves against the URL that answered, not the
   * configured endpoint (the gst-plugins-rs bug) */
  auto r3 = x.on_response (resp (201, "/session/1", kAnswer), kNow);
  EXPECT_EQ (r3.session_url, "http://edge.example:8080/session/1");
}

TEST (WhipHttp, RedirectHopLimitAndUnsafeTargets)
{
  PostExchange x (Protocol::Whip, "http://a/", 2);
  EXPECT_EQ (x.on_response (resp (307, "/b"), kNow).verdict.outcome,
      Outcome::Redirect);
  EXPECT_EQ (x.on_response (resp (307, "/c"), kNow).verdict.outcome,
      Outcome::Redirect);
  auto r = x.on_response (resp (307, "/d"), kNow);
  EXPECT_EQ (r.verdict.severity, Severity::Fatal);
  EXPECT_NE (r.verdict.message.find ("too many redirects"), std::string::npos);

  PostExchange y (Protocol::Whip, "https://a/");
  r = y.on_response (resp (308, "http://a/plain"), kNow);
  EXPECT_EQ (r.verdict.severity, Severity::Fatal);
  EXPECT_NE (r.verdict.message.find ("https to http"), std::string::npos);

  PostExchange z (Protocol::Whip, "http://a/");
  EXPECT_EQ (z.on_response (resp (307, "ftp://x/"), kNow).verdict.severity,
      Severity::Fatal);
  EXPECT_EQ (z.on_response (resp (307, ""), kNow).verdict.severity,
      Severity::Fatal);
}

TEST (WhipHttp, Redirect301302303AreRefusedClearly)
{
  for (int st : { 301, 302, 303 }) {
    auto v = classify (Protocol::Whip, Request::Post, resp (st, "/x"), kNow);
    EXPECT_EQ (v.outcome, Outcome::Refused) << st;
    EXPECT_EQ (v.severity, Severity::Fatal) << st;
    EXPECT_EQ (v.status, st);
    EXPECT_NE (v.message.find ("307 or 308"), std::string::npos) << v.message;
  }
}

TEST (WhipHttp, BusyServersAreTransientWithRetryAfter)
{
  auto r = resp (503);
  r.retry_after = "7";
  auto v = classify (Protocol::Whip, Request::Post, r, kNow);
  EXPECT_EQ (v.outcome, Outcome::Retry);
  EXPECT_EQ (v.severity, Severity::Transient);
  EXPECT_EQ (v.retry_after, std::chrono::seconds (7));

  r = resp (429);
  r.retry_after = "Tue, 14 Nov 2023 22:13:40 GMT";  /* kNow + 20 s */
  v = classify (Protocol::Whep, Request::Post, r, kNow);
  EXPECT_EQ (v.severity, Severity::Transient);
  EXPECT_EQ (v.retry_after, std::chrono::seconds (20));

  /* 409 means "nothing published yet" in WHEP only */
  v = classify (Protocol::Whep, Request::Post, resp (409), kNow);
  EXPECT_EQ (v.severity, Severity::Transient);
  EXPECT_FALSE (v.retry_after);
  EXPECT_NE (v.message.find ("nothing is published"), std::string::npos);
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (409), kNow)
      .severity, Severity::Fatal);
}

TEST (WhipHttp, RefusalsCarryProblemDetails)
{
  auto r = resp (422, "", "{\"type\":\"about:blank\",\"title\":\"Bad codec\","
      "\"detail\":\"H264 High is not \\u00e9 allowed\",\"nested\":{\"a\":[1,2]}}",
      "application/problem+json; charset=utf-8");
  auto v = classify (Protocol::Whip, Request::Post, r, kNow);
  EXPECT_EQ (v.outcome, Outcome::Refused);
  EXPECT_EQ (v.severity, Severity::Fatal);
  EXPECT_EQ (v.status, 422);
  EXPECT_EQ (v.problem_title, "Bad codec");
  EXPECT_EQ (v.problem_detail, "H264 High is not \xc3\xa9 allowed");
  EXPECT_NE (v.message.find ("Bad codec: H264 High"), std::string::npos)
      << v.message;
  /* detail after a nested member */
  r.body = "{\"x\":{\"title\":\"inner\"},\"title\":\"outer\"}";
  v = classify (Protocol::Whip, Request::Post, r, kNow);
  EXPECT_EQ (v.problem_title, "outer");
  /* plain text bodies become the detail, control characters removed */
  v = classify (Protocol::Whip, Request::Post,
      resp (400, "", "bad\r\noffer", "text/plain"), kNow);
  EXPECT_EQ (v.problem_detail, "bad  offer");
  /* garbage JSON is ignored */
  v = classify (Protocol::Whip, Request::Post,
      resp (400, "", "{\"title\":", "application/problem+json"), kNow);
  EXPECT_EQ (v.problem_title, "");
}

TEST (WhipHttp, AuthFailuresAreFatal)
{
  for (int st : { 401, 403 }) {
    for (auto req : { Request::Post, Request::TricklePatch }) {
      auto v = classify (Protocol::Whip, req, resp (st), kNow);
      EXPECT_EQ (v.outcome, Outcome::AuthFailed);
      EXPECT_EQ (v.severity, Severity::Fatal);
      EXPECT_NE (v.message.find ("token"), std::string::npos);
    }
  }
  /* a DELETE that fails auth is reported but changes nothing */
  EXPECT_EQ (classify (Protocol::Whip, Request::Delete, resp (401), kNow)
      .severity, Severity::None);
}

TEST (WhipHttp, SessionRequests)
{
  /* 404 on PATCH/DELETE: gone */
  auto v = classify (Protocol::Whip, Request::TricklePatch, resp (404), kNow);
  EXPECT_EQ (v.outcome, Outcome::SessionGone);
  EXPECT_EQ (v.severity, Severity::Transient);
  v = classify (Protocol::Whip, Request::Delete, resp (404), kNow);
  EXPECT_EQ (v.outcome, Outcome::SessionGone);
  EXPECT_EQ (v.severity, Severity::None);
  /* trickle not supported */
  for (int st : { 405, 415, 422, 501 }) {
    v = classify (Protocol::Whep, Request::TricklePatch, resp (st), kNow);
    EXPECT_EQ (v.outcome, Outcome::TrickleUnsupported) << st;
    EXPECT_EQ (v.severity, Severity::None) << st;
  }
  /* ETag */
  v = classify (Protocol::Whip, Request::TricklePatch, resp (412), kNow);
  EXPECT_EQ (v.outcome, Outcome::EtagMismatch);
  EXPECT_EQ (v.severity, Severity::None);
  v = classify (Protocol::Whip, Request::IceRestartPatch, resp (428), kNow);
  EXPECT_EQ (v.outcome, Outcome::EtagMismatch);
  EXPECT_EQ (v.severity, Severity::Transient);
  /* successes */
  EXPECT_EQ (classify (Protocol::Whip, Request::TricklePatch, resp (204), kNow)
      .outcome, Outcome::Ok);
  EXPECT_EQ (classify (Protocol::Whep, Request::AnswerPatch, resp (204), kNow)
      .outcome, Outcome::Ok);
  EXPECT_EQ (classify (Protocol::Whip, Request::Delete, resp (200), kNow)
      .outcome, Outcome::Ok);
  EXPECT_EQ (classify (Protocol::Whip, Request::IceRestartPatch,
          resp (200, "", "a=ice-ufrag:x", "application/trickle-ice-sdpfrag"),
          kNow).outcome, Outcome::Ok);
  EXPECT_NE (classify (Protocol::Whip, Request::IceRestartPatch, resp (204),
          kNow).outcome, Outcome::Ok);
}

TEST (WhipHttp, Whep406IsACounterOffer)
{
  PostExchange x (Protocol::Whep, "http://h/whep/cam");
  auto res = x.on_response (resp (406, "res/9", kAnswer), kNow);
  EXPECT_EQ (res.verdict.outcome, Outcome::CounterOffer);
  EXPECT_EQ (res.verdict.severity, Severity::None);
  EXPECT_EQ (res.session_url, "http://h/whep/res/9");
  EXPECT_EQ (res.sdp, kAnswer);
  /* without a Location there is nowhere to PATCH the answer */
  PostExchange y (Protocol::Whep, "http://h/whep/cam");
  EXPECT_EQ (y.on_response (resp (406, "", kAnswer), kNow).verdict.severity,
      Severity::Fatal);
  /* WHIP 406, or WHEP 406 without SDP, is a plain refusal */
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (406, "/r", kAnswer),
          kNow).outcome, Outcome::Refused);
  EXPECT_EQ (classify (Protocol::Whep, Request::Post, resp (406), kNow)
      .outcome, Outcome::Refused);
}

TEST (WhipHttp, UnknownCodesByClass)
{
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (418), kNow)
      .severity, Severity::Fatal);
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (599), kNow)
      .severity, Severity::Transient);
  auto r = resp (502);
  r.retry_after = "3";
  auto v = classify (Protocol::Whip, Request::Post, r, kNow);
  EXPECT_EQ (v.severity, Severity::Transient);
  EXPECT_EQ (v.retry_after, std::chrono::seconds (3));
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (404), kNow)
      .severity, Severity::Fatal);
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (408), kNow)
      .severity, Severity::Transient);
  EXPECT_EQ (classify (Protocol::Whip, Request::Post, resp (100), kNow)
      .severity, Severity::Fatal);
  EXPECT_EQ (classify (Protocol::Whip, Request::TricklePatch, resp (500),
          kNow).severity, Severity::Transient);
  EXPECT_EQ (classify (Protocol::Whip, Request::TricklePatch, resp (400),
          kNow).severity, Severity::None);
}

TEST (WhipHttp, OptionsNeverFails)
{
  auto v = classify (Protocol::Whip, Request::Options, resp (405), kNow);
  EXPECT_EQ (v.outcome, Outcome::Ignored);
  EXPECT_EQ (v.severity, Severity::None);
  EXPECT_EQ (classify (Protocol::Whip, Request::Options, resp (204), kNow)
      .outcome, Outcome::Ok);
}

TEST (WhipHttp, NetworkFailures)
{
  auto v = network_failure (Request::Post, "timed out after 10000 ms");
  EXPECT_EQ (v.severity, Severity::Transient);
  EXPECT_EQ (v.status, 0);
  EXPECT_NE (v.message.find ("POST failed: timed out"), std::string::npos);
  EXPECT_EQ (network_failure (Request::Delete, "x").severity, Severity::None);
  EXPECT_STREQ (severity_name (Severity::Fatal), "fatal");
  EXPECT_STREQ (outcome_name (Outcome::CounterOffer), "counter-offer");
}

TEST (WhipHttp, MediaTypeIgnoresParametersAndCase)
{
  EXPECT_EQ (media_type ("Application/SDP; charset=utf-8"), "application/sdp");
  EXPECT_EQ (media_type (""), "");
}
