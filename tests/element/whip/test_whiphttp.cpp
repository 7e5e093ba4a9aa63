/* The libsoup 3 client layer of the WHIP / WHEP clients against the strict
 * test server: headers, redirects by hand, timeouts, teardown. */
#include "common/whiphttp.h"
#include "fixtures/whipserver.h"

#include <gtest/gtest.h>

#include <future>

using namespace resilient;
using namespace resilient::gst;
using fixtures::ScriptedResponse;
using fixtures::WhipTestServer;

namespace {

const char *kOffer = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n";
const char *kAnswer = "v=0\r\no=- 2 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=recvonly\r\n";

class WhipHttp : public ::testing::Test
{
protected:
  void SetUp () override { loop.start (); }
  void TearDown () override
  {
    signalling.reset ();
    http.reset ();
    loop.stop ();
  }

  void make (const std::string &endpoint, const std::string &token = {},
      unsigned timeout_ms = 5000, whip::Protocol p = whip::Protocol::Whip)
  {
    http = std::make_unique<HttpClient> (loop, nullptr);
    http->set_token (token);
    SignallingConfig c;
    c.protocol = p;
    c.endpoint = endpoint;
    c.request_timeout_ms = timeout_ms;
    c.max_redirects = 3;
    signalling = std::make_unique<WhipSignalling> (*http, c);
  }

  WhipSignalling::PostResult post (const std::string &body = kOffer)
  {
    std::promise<WhipSignalling::PostResult> p;
    loop.post ([&] {
      signalling->post_offer (body, [&] (WhipSignalling::PostResult r) {
        p.set_value (std::move (r));
      });
    });
    auto f = p.get_future ();
    EXPECT_EQ (f.wait_for (std::chrono::seconds (10)),
        std::future_status::ready);
    return f.get ();
  }

  template <typename Fn>
  WhipSignalling::SimpleResult simple (Fn fn)
  {
    std::promise<WhipSignalling::SimpleResult> p;
    loop.post ([&] {
      fn ([&] (WhipSignalling::SimpleResult r) { p.set_value (std::move (r)); });
    });
    auto f = p.get_future ();
    EXPECT_EQ (f.wait_for (std::chrono::seconds (10)),
        std::future_status::ready);
    return f.get ();
  }

  ControlLoop loop { "test-whip-http" };
  std::unique_ptr<HttpClient> http;
  std::unique_ptr<WhipSignalling> signalling;
};

}  // namespace

TEST_F (WhipHttp, PostSendsExactContentTypeAndBearerTokenAndResolvesLocation)
{
  WhipTestServer server ({});
  server.script_post ({ 201, "../session/5", "", "application/sdp", kAnswer });
  make (server.url ("/whip/live/cam"), "s3cr3t");
  auto r = post ();
  EXPECT_EQ (r.verdict.outcome, whip::Outcome::Ok) << r.verdict.message;
  EXPECT_EQ (r.session_url, server.url ("/whip/session/5"));
  EXPECT_EQ (r.sdp, kAnswer);
  auto posts = server.requests ("POST");
  ASSERT_EQ (posts.size (), 1u);
  EXPECT_EQ (posts[0].content_type, "application/sdp");
  EXPECT_EQ (posts[0].authorization, "Bearer s3cr3t");
  EXPECT_EQ (posts[0].body, kOffer);
}

TEST_F (WhipHttp, NoTokenMeansNoAuthorizationHeader)
{
  WhipTestServer server ({});
  server.script_post ({ 201, "/s/1", "", "application/sdp", kAnswer });
  make (server.url ());
  post ();
  auto posts = server.requests ("POST");
  ASSERT_EQ (posts.size (), 1u);
  EXPECT_EQ (posts[0].authorization, "");
}

TEST_F (WhipHttp, Redirect307And308AcrossServersKeepBodyAndToken)
{
  WhipTestServer origin ({});
  WhipTestServer edge2 ({});
  origin.add_redirect ("/in", 307, edge2.url ("/hop"));
  edge2.add_redirect ("/hop", 308, "final");
  WhipTestServer final_server ({});
  edge2.add_redirect ("/final", 307, final_server.url ("/deep/final"));
  final_server.script_post ({ 201, "/res/42", "", "application/sdp",
        kAnswer });
  make (origin.url ("/in"), "tok");
  auto r = post ();
  EXPECT_EQ (r.verdict.outcome, whip::Outcome::Ok) << r.verdict.message;
  EXPECT_EQ (r.redirects, 3);
  /* resolved against the server that answered, not the endpoint */
  EXPECT_EQ (r.session_url, final_server.url ("/res/42"));
  EXPECT_EQ (r.answered_url, final_server.url ("/deep/final"));
  EXPECT_EQ (edge2.requests ("POST").size (), 2u);  /* /hop and /final */
  for (auto *s : { &origin, &edge2, &final_server }) {
    auto posts = s->requests ("POST");
    ASSERT_FALSE (posts.empty ());
    EXPECT_EQ (posts[0].authorization, "Bearer tok");
    EXPECT_EQ (posts[0].body, kOffer);
    EXPECT_EQ (posts[0].content_type, "application/sdp");
  }
}

TEST_F (WhipHttp, RedirectHopLimitIsEnforced)
{
  WhipTestServer server ({});
  server.add_redirect ("/a", 307, "/b");
  server.add_redirect ("/b", 307, "/a");
  make (server.url ("/a"));
  auto r = post ();
  EXPECT_EQ (r.verdict.severity, whip::Severity::Fatal);
  EXPECT_NE (r.verdict.message.find ("too many redirects"), std::string::npos);
  EXPECT_EQ (server.requests ("POST").size (), 4u);  /* 1 + 3 hops */
}

TEST_F (WhipHttp, Redirect301IsRefusedNotTurnedIntoAGet)
{
  WhipTestServer server ({});
  server.add_redirect ("/a", 301, "/b");
  make (server.url ("/a"));
  auto r = post ();
  EXPECT_EQ (r.verdict.outcome, whip::Outcome::Refused);
  EXPECT_EQ (r.verdict.status, 301);
  auto all = server.requests ();
  ASSERT_EQ (all.size (), 1u) << "no GET, no second request";
  EXPECT_EQ (all[0].method, "POST");
}

TEST_F (WhipHttp, RetryAfterAndProblemDetailsReachTheVerdict)
{
  WhipTestServer server ({});
  server.script_post ({ 503, "", "2", "", "" });
  server.script_post ({ 422, "", "", "application/problem+json",
        "{\"title\":\"Bad offer\",\"detail\":\"no H264\"}" });
  make (server.url ());
  auto r = post ();
  EXPECT_EQ (r.verdict.severity, whip::Severity::Transient);
  EXPECT_EQ (r.verdict.status, 503);
  EXPECT_EQ (r.verdict.retry_after, std::chrono::seconds (2));
  r = post ();
  EXPECT_EQ (r.verdict.severity, whip::Severity::Fatal);
  EXPECT_EQ (r.verdict.problem_title, "Bad offer");
  EXPECT_EQ (r.verdict.problem_detail, "no H264");
}

TEST_F (WhipHttp, ServerRefusesAWrongTokenWith401)
{
  WhipTestServer::Options o;
  o.token = "right";
  WhipTestServer server (o);
  make (server.url (), "Zq9-not-the-token");
  auto r = post ();
  EXPECT_EQ (r.verdict.outcome, whip::Outcome::AuthFailed);
  EXPECT_EQ (r.verdict.severity, whip::Severity::Fatal);
  EXPECT_NE (r.verdict.message.find ("401"), std::string::npos);
  EXPECT_EQ (r.verdict.message.find ("Zq9"), std::string::npos)
      << "the token never appears: " << r.verdict.message;
}

TEST_F (WhipHttp, SlowServerHitsTheRequestTimeout)
{
  WhipTestServer server ({});
  server.script_post ({ 201, "/s/1", "", "application/sdp", kAnswer, 3000 });
  make (server.url (), "", 300);
  auto t0 = std::chrono::steady_clock::now ();
  auto r = post ();
  auto took = std::chrono::steady_clock::now () - t0;
  EXPECT_EQ (r.verdict.severity, whip::Severity::Transient);
  EXPECT_EQ (r.verdict.status, 0);
  EXPECT_NE (r.verdict.message.find ("timeout"), std::string::npos)
      << r.verdict.message;
  EXPECT_LT (took, std::chrono::milliseconds (2500));
}

TEST_F (WhipHttp, UnreachableServerIsTransient)
{
  int port = fixtures::WhipTestServer ({}).port ();  /* closed again */
  make ("http://127.0.0.1:" + std::to_string (port) + "/x");
  auto r = post ();
  EXPECT_EQ (r.verdict.severity, whip::Severity::Transient);
  EXPECT_EQ (r.verdict.status, 0);
}

TEST_F (WhipHttp, TrickleDeleteAndOptions)
{
  WhipTestServer::Options o;
  o.token = "t";
  o.links = { "<stun:127.0.0.1:3478>; rel=\"ice-server\"",
    "<turn:127.0.0.1:3478?transport=udp>; rel=\"ice-server\"; "
    "username=\"u\"; credential=\"p@ss\"" };
  WhipTestServer server (o);
  /* a session URL the server does not know: PATCH and DELETE get 404 */
  ScriptedResponse ok { 201, "/session/77", "", "application/sdp", kAnswer };
  server.script_post (ok);
  make (server.url (), "t");

  std::promise<std::vector<whip::IceServer>> ice;
  loop.post ([&] {
    signalling->discover_ice_servers ([&] (std::vector<whip::IceServer> s,
            whip::Verdict) { ice.set_value (s); });
  });
  auto servers = ice.get_future ().get ();
  ASSERT_EQ (servers.size (), 2u);
  EXPECT_EQ (whip::webrtcbin_ice_url (servers[1]),
      "turn://u:p%40ss@127.0.0.1:3478?transport=udp");

  auto r = post ();
  ASSERT_EQ (r.verdict.outcome, whip::Outcome::Ok);
  auto patch = simple ([&] (auto cb) {
    signalling->patch_trickle ("m=video 9 UDP/TLS/RTP/SAVPF 96\r\n", cb);
  });
  EXPECT_EQ (patch.verdict.outcome, whip::Outcome::SessionGone);
  auto del = simple ([&] (auto cb) { signalling->teardown (1000, cb); });
  EXPECT_EQ (del.verdict.outcome, whip::Outcome::SessionGone);
  EXPECT_EQ (del.verdict.severity, whip::Severity::None) << "404 tolerated";
  EXPECT_FALSE (signalling->has_session ());

  auto patches = server.requests ("PATCH");
  ASSERT_EQ (patches.size (), 1u);
  EXPECT_EQ (patches[0].content_type, "application/trickle-ice-sdpfrag");
  EXPECT_EQ (patches[0].authorization, "Bearer t");
  auto deletes = server.requests ("DELETE");
  ASSERT_EQ (deletes.size (), 1u);
  EXPECT_EQ (deletes[0].path, "/session/77");
  EXPECT_EQ (deletes[0].authorization, "Bearer t");
  EXPECT_EQ (deletes[0].if_match, "");
}

TEST_F (WhipHttp, ShutdownWithARequestInFlightReturnsPromptly)
{
  WhipTestServer server ({});
  server.script_post ({ 201, "/s/1", "", "application/sdp", kAnswer, 5000 });
  make (server.url (), "", 10000);
  std::atomic<bool> called { false };
  loop.post ([&] {
    signalling->post_offer (kOffer, [&] (auto) { called = true; });
  });
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.requests ("POST").size () == 1;
  }, std::chrono::seconds (5)));
  auto t0 = std::chrono::steady_clock::now ();
  http->shutdown ();
  EXPECT_LT (std::chrono::steady_clock::now () - t0,
      std::chrono::milliseconds (1500));
  EXPECT_FALSE (called.load ());
}

/* The strict test server itself: what it refuses, so the element tests
 * passing against it mean something. */
namespace {

const char *kConformantWhipOffer =
    "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
    "a=fingerprint:sha-256 "
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
    "AB:CD:EF:01:23:45:67:89\r\n"
    "a=ice-ufrag:uuuu\r\na=ice-pwd:pppppppppppppppppppppp\r\n"
    "a=group:BUNDLE 0 1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\na=msid:s v\r\na=rtcp-mux\r\na=rtcp-mux-only\r\n"
    "a=sendonly\r\na=rtpmap:96 VP8/90000\r\n"
    "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
    "a=setup:actpass\r\na=bundle-only\r\n"
    "a=mid:1\r\na=msid:s a\r\na=rtcp-mux\r\na=rtcp-mux-only\r\n"
    "a=sendonly\r\na=rtpmap:111 OPUS/48000/2\r\n";

std::string
without (std::string sdp, const std::string &line)
{
  auto p = sdp.find (line + "\r\n");
  if (p != std::string::npos)
    sdp.erase (p, line.size () + 2);
  return sdp;
}

std::string
replaced (std::string sdp, const std::string &from, const std::string &to)
{
  for (auto p = sdp.find (from); p != std::string::npos;
       p = sdp.find (from, p + to.size ()))
    sdp.replace (p, from.size (), to);
  return sdp;
}

}  // namespace

TEST_F (WhipHttp, StrictServerRefusesNonConformantOffers)
{
  WhipTestServer server ({});
  make (server.url ());
  struct Case
  {
    std::string content_type;
    std::string body;
    int status;
    std::string why;
  };
  std::vector<Case> cases = {
    { "application/sdp; charset=utf-8", kConformantWhipOffer, 415,
      "exactly application/sdp" },
    { "application/sdp", without (without (kConformantWhipOffer,
                "a=msid:s v"), "a=msid:s a"), 422, "a=msid" },
    { "application/sdp", replaced (kConformantWhipOffer, "a=msid:s a",
          "a=msid:t a"), 422, "stream ids differ" },
    { "application/sdp", without (kConformantWhipOffer, "a=group:BUNDLE 0 1"),
      422, "BUNDLE" },
    { "application/sdp", replaced (kConformantWhipOffer, "a=group:BUNDLE 0 1",
          "a=group:BUNDLE 0"), 422, "BUNDLE" },
    { "application/sdp", without (kConformantWhipOffer, "a=rtcp-mux-only"),
      422, "rtcp-mux-only" },
    { "application/sdp", replaced (kConformantWhipOffer, "a=sendonly",
          "a=recvonly"), 422, "sendonly" },
    { "application/sdp", replaced (kConformantWhipOffer, "a=setup:actpass",
          "a=setup:active"), 422, "actpass" },
    { "application/sdp", "hello", 400, "not an SDP" },
  };
  for (auto &c : cases) {
    std::promise<HttpResult> p;
    loop.post ([&] {
      HttpRequest req;
      req.method = "POST";
      req.url = server.url ();
      req.content_type = c.content_type;
      req.body = c.body;
      http->send (req, [&] (HttpResult r) { p.set_value (std::move (r)); });
    });
    auto r = p.get_future ().get ();
    ASSERT_TRUE (r.completed) << r.error;
    EXPECT_EQ (r.response.status, c.status) << c.why;
    EXPECT_NE (server.last_refusal ().find (c.why), std::string::npos)
        << c.why << " / " << server.last_refusal ();
  }
  EXPECT_EQ (server.sessions_created (), 0);
  /* an offer webrtcbin cannot take is refused, not left hanging */
  auto broken = post (without (replaced (kConformantWhipOffer,
              "a=fingerprint:", "a=x-fingerprint:"), ""));
  EXPECT_EQ (broken.verdict.status, 422) << broken.verdict.message;
  EXPECT_NE (broken.verdict.problem_detail.find ("webrtcbin"),
      std::string::npos) << broken.verdict.problem_detail;
  /* and the conformant one is taken */
  auto ok = post (kConformantWhipOffer);
  EXPECT_EQ (ok.verdict.outcome, whip::Outcome::Ok) << ok.verdict.message
      << " / " << server.last_refusal ();
  EXPECT_EQ (server.sessions_created (), 2);
  EXPECT_NE (ok.sdp.find ("a=recvonly"), std::string::npos) << ok.sdp;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
