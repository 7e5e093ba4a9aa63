/* reswhipsink against the strict WHIP test server on loopback: the server
 * refuses non-conformant offers and decodes what arrives. */
#include "harness.h"
#include "fixtures/elements.h"
#include "fixtures/process.h"
#include "fixtures/whipserver.h"
#include "resilient/whip/sdp.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

using fixtures::ScriptedResponse;
using fixtures::WhipTestServer;
using namespace std::chrono_literals;
using whiptest::Pipeline;

static std::string
publisher (const WhipTestServer &server, const std::string &extra = {},
    bool audio = true, const std::string &path = "/endpoint/cam")
{
  std::string d = "videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "reswhipsink name=sink uri=whip://127.0.0.1:"
      + std::to_string (server.port ()) + path + " " + extra;
  if (audio)
    d += " audiotestsrc is-live=true ! sink.";
  return d;
}

static std::string
field (GstStructure *s, const char *name)
{
  if (!s)
    return "<no message>";
  const char *v = gst_structure_get_string (s, name);
  return v ? v : "";
}

static int
int_field (GstStructure *s, const char *name)
{
  int v = -1;
  if (s)
    gst_structure_get_int (s, name, &v);
  return v;
}

TEST (Whip, PublishesH264AndOpusThatTheServerDecodes)
{
  WhipTestServer::Options o;
  o.token = "pub-token";
  WhipTestServer server (o);
  Pipeline p (publisher (server, "token=pub-token"));
  ASSERT_NE (p.get (), nullptr) << p.errors ();
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10 && server.audio_frames () >= 5;
  }, 15s)) << "video " << server.video_frames () << " audio "
      << server.audio_frames () << "\nerrors: " << p.errors ()
      << "\nrefusal: " << server.last_refusal ();
  EXPECT_TRUE (p.has_message ("reswhipsink-connected"));
  auto posts = server.requests ("POST");
  ASSERT_EQ (posts.size (), 1u);
  EXPECT_EQ (posts[0].content_type, "application/sdp");
  EXPECT_NE (posts[0].body.find ("a=msid:gst-resilient "), std::string::npos);
  EXPECT_NE (posts[0].body.find ("profile-level-id=42e01f"), std::string::npos);
  EXPECT_NE (posts[0].body.find ("urn:ietf:params:rtp-hdrext:sdes:mid"),
      std::string::npos);
  p.stop ();
  EXPECT_EQ (server.sessions_deleted (), 1);
  for (auto &r : server.requests ())
    if (r.method != "OPTIONS")
      EXPECT_EQ (r.authorization, "Bearer pub-token") << r.method << r.path;
  auto dels = server.requests ("DELETE");
  ASSERT_EQ (dels.size (), 1u);
  EXPECT_EQ (dels[0].if_match, "");
  /* the trickle PATCH carried the candidates and the end marker */
  EXPECT_GE (server.trickle_candidates (), 1);
  EXPECT_TRUE (server.end_of_candidates_seen ());
}

/* Issue 8: a receiver that negotiated the MID header extension routes by
 * it, so every RTP packet must carry it, naming its m-section; and the
 * offer must name every stream it sends (a=ssrc) with transport-wide-cc
 * negotiated. Before the fix the offer advertised sdes:mid while no packet
 * carried it, and the video m-section often had no a=ssrc. */
TEST (Whip, EveryRtpPacketCarriesTheMidTheOfferAnnounced)
{
  for (const char *codec : { "h264", "vp8" }) {
    SCOPED_TRACE (codec);
    WhipTestServer server ({});
    Pipeline p (publisher (server, std::string ("video-codecs=") + codec));
    ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
    /* enough packets to judge (a VP8 frame at this size is one packet) */
    EXPECT_TRUE (WhipTestServer::wait_until ([&] {
      return server.video_frames () >= 10 && server.audio_frames () >= 5
          && server.rtp_packets () > 50u;
    }, 15s)) << p.errors () << server.last_refusal ();
    p.stop ();
    ASSERT_GT (server.rtp_packets (), 50u);
    EXPECT_EQ (server.mid_packets (), server.rtp_packets ())
        << "packets without the MID header extension";
    EXPECT_EQ (server.wrong_mid_packets (), 0u);
    auto posts = server.requests ("POST");
    ASSERT_EQ (posts.size (), 1u);
    auto problems = resilient::whip::routing_problems (posts[0].body);
    EXPECT_TRUE (problems.empty ()) << problems[0] << "\n" << posts[0].body;
    auto sdp = resilient::whip::Sdp::parse (posts[0].body);
    ASSERT_TRUE (sdp);
    for (auto &m : sdp->media) {
      EXPECT_FALSE (m.attrs ("ssrc").empty ()) << m.mline;
      bool twcc = false;
      for (auto &e : m.attrs ("extmap"))
        twcc |= e.find (resilient::whip::kTwccUri) != std::string::npos;
      EXPECT_TRUE (twcc) << m.mline;
    }
  }
}

TEST (Whip, PublishesVp8WithoutTrickleWhenAskedTo)
{
  WhipTestServer server ({});
  Pipeline p (publisher (server, "video-codecs=vp8 trickle=false", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 15s)) << p.errors () << server.last_refusal ();
  auto posts = server.requests ("POST");
  ASSERT_EQ (posts.size (), 1u);
  EXPECT_NE (posts[0].body.find ("VP8/90000"), std::string::npos);
  EXPECT_NE (posts[0].body.find ("a=candidate:"), std::string::npos)
      << "non-trickle offers carry their candidates";
  EXPECT_TRUE (server.requests ("PATCH").empty ());
}

TEST (Whip, FollowsRedirectsAndDeletesTheResolvedSession)
{
  WhipTestServer::Options o;
  o.token = "t";
  WhipTestServer server (o);
  WhipTestServer front ({});
  front.add_redirect ("/in", 307, server.url ("/hop"));
  server.add_redirect ("/hop", 308, "/endpoint/cam");
  std::string d = "videotestsrc is-live=true ! reswhipsink name=sink token=t "
      "uri=whip://127.0.0.1:" + std::to_string (front.port ()) + "/in";
  Pipeline p (d);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 5;
  }, 15s)) << p.errors () << server.last_refusal ();
  GstStructure *c = p.message ("reswhipsink-connected");
  EXPECT_EQ (int_field (c, "redirects"), 2);
  /* the session lives on the server that answered */
  EXPECT_NE (field (c, "session-url").find (std::to_string (server.port ())),
      std::string::npos) << field (c, "session-url");
  if (c)
    gst_structure_free (c);
  p.stop ();
  EXPECT_EQ (server.sessions_deleted (), 1);
  EXPECT_TRUE (front.requests ("DELETE").empty ());
}

TEST (Whip, ServiceUnavailableIsATransientFailureWithRetryAfter)
{
  WhipTestServer server ({});
  server.script_post ({ 503, "", "7", "application/problem+json",
        "{\"title\":\"Busy\",\"detail\":\"try later\"}" });
  Pipeline p (publisher (server, "error-on-failure=false", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] {
    return p.has_message ("reswhipsink-failure");
  }, 10s)) << p.errors ();
  GstStructure *f = p.message ("reswhipsink-failure");
  EXPECT_EQ (field (f, "severity"), "transient");
  EXPECT_EQ (int_field (f, "http-status"), 503);
  EXPECT_EQ (field (f, "stage"), "post");
  EXPECT_EQ (field (f, "problem-title"), "Busy");
  gint64 ra = -1;
  gst_structure_get_int64 (f, "retry-after-ms", &ra);
  EXPECT_EQ (ra, 7000);
  gst_structure_free (f);
  EXPECT_FALSE (p.has_message ("error")) << "error-on-failure=false";
  EXPECT_TRUE (p.has_message ("warning"));
  GstElement *sink = p.by_name ("sink");
  gint status = -1;
  g_object_get (sink, "status", &status, NULL);
  EXPECT_EQ (status, 4);  /* failed */
  gst_object_unref (sink);
  EXPECT_EQ (server.requests ("POST").size (), 1u) << "no blind retry";
}

TEST (Whip, WrongTokenIsFatalAndNeverShown)
{
  WhipTestServer::Options o;
  o.token = "right";
  WhipTestServer server (o);
  Pipeline p (publisher (server, "token=Zz-leak-me", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return p.has_message ("error"); }, 10s));
  GstStructure *f = p.message ("reswhipsink-failure");
  EXPECT_EQ (field (f, "severity"), "fatal");
  EXPECT_EQ (int_field (f, "http-status"), 401);
  gchar *all = f ? gst_structure_to_string (f) : g_strdup ("");
  EXPECT_EQ (std::string (all).find ("Zz-leak-me"), std::string::npos);
  g_free (all);
  if (f)
    gst_structure_free (f);
  EXPECT_EQ (p.errors ().find ("Zz-leak-me"), std::string::npos);
  EXPECT_NE (p.errors ().find ("401"), std::string::npos) << p.errors ();
}

TEST (Whip, TokenFromTheEnvironment)
{
  WhipTestServer::Options o;
  o.token = "from-env";
  WhipTestServer server (o);
  g_setenv ("RESILIENT_WHIP_TOKEN", "from-env", TRUE);
  Pipeline p (publisher (server, "", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 3;
  }, 15s)) << p.errors ();
  g_unsetenv ("RESILIENT_WHIP_TOKEN");
}

TEST (Whip, TrickleRefusedWith405KeepsTheSession)
{
  WhipTestServer::Options o;
  o.trickle = false;
  WhipTestServer server (o);
  Pipeline p (publisher (server, "", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 15s)) << p.errors ();
  EXPECT_TRUE (p.has_message ("reswhipsink-warning"));
  EXPECT_FALSE (p.has_message ("reswhipsink-failure"));
  auto patches = server.requests ("PATCH");
  ASSERT_EQ (patches.size (), 1u) << "stops after the 405";
  EXPECT_EQ (patches[0].status, 405);
}

TEST (Whip, Delete404IsTolerated)
{
  WhipTestServer::Options o;
  o.delete_404 = true;
  o.absolute_location = true;
  WhipTestServer server (o);
  Pipeline p (publisher (server, "", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 3;
  }, 15s)) << p.errors ();
  p.stop ();
  EXPECT_EQ (server.requests ("DELETE").size (), 1u);
  EXPECT_EQ (p.errors (), "");
}

TEST (Whip, SlowAnswerStillConnectsButATimeoutIsTransient)
{
  {
    WhipTestServer::Options o;
    o.answer_delay_ms = 1500;
    WhipTestServer server (o);
    Pipeline p (publisher (server, "", false));
    ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
    EXPECT_TRUE (WhipTestServer::wait_until ([&] {
      return server.video_frames () >= 3;
    }, 15s)) << p.errors ();
  }
  WhipTestServer::Options o;
  o.answer_delay_ms = 3000;
  WhipTestServer server (o);
  Pipeline p (publisher (server, "request-timeout=500 error-on-failure=false",
          false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] {
    return p.has_message ("reswhipsink-failure");
  }, 10s));
  GstStructure *f = p.message ("reswhipsink-failure");
  EXPECT_EQ (field (f, "severity"), "transient");
  EXPECT_EQ (int_field (f, "http-status"), 0);
  gst_structure_free (f);
}

TEST (Whip, RedirectWith301IsRefusedClearly)
{
  WhipTestServer server ({});
  server.add_redirect ("/old", 301, "/endpoint/cam");
  Pipeline p (publisher (server, "", false, "/old"));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return p.has_message ("error"); }, 10s));
  EXPECT_NE (p.errors ().find ("307 or 308"), std::string::npos)
      << p.errors ();
  EXPECT_EQ (server.requests ().size (), 1u + server.requests ("OPTIONS")
      .size ());
}

TEST (Whip, LinkIceServersFromOptionsReachWebrtcbin)
{
  WhipTestServer::Options o;
  /* a STUN server that does not exist: gathering still completes with host
   * candidates, and the OPTIONS request is made before the POST */
  o.links = { "<stun:127.0.0.1:9>; rel=\"ice-server\"" };
  WhipTestServer server (o);
  Pipeline p (publisher (server, "gathering-timeout=1000", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 3;
  }, 15s)) << p.errors ();
  auto all = server.requests ();
  ASSERT_GE (all.size (), 2u);
  EXPECT_EQ (all[0].method, "OPTIONS");
  EXPECT_EQ (all[1].method, "POST");
  GstElement *sink = p.by_name ("sink");
  GstElement *webrtc = nullptr;
  GstIterator *it = gst_bin_iterate_elements (GST_BIN (sink));
  GValue v = G_VALUE_INIT;
  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&v));
    if (g_str_has_prefix (GST_OBJECT_NAME (e), "webrtcbin"))
      webrtc = GST_ELEMENT (gst_object_ref (e));
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  ASSERT_NE (webrtc, nullptr);
  gchar *stun = nullptr;
  g_object_get (webrtc, "stun-server", &stun, NULL);
  EXPECT_STREQ (stun, "stun://127.0.0.1:9");
  g_free (stun);
  gst_object_unref (webrtc);
  gst_object_unref (sink);
}

static GstElement *
inner_webrtcbin (GstElement *bin)
{
  GstElement *webrtc = nullptr;
  GstIterator *it = gst_bin_iterate_elements (GST_BIN (bin));
  GValue v = G_VALUE_INIT;
  while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
    GstElement *e = GST_ELEMENT (g_value_get_object (&v));
    if (g_str_has_prefix (GST_OBJECT_NAME (e), "webrtcbin"))
      webrtc = GST_ELEMENT (gst_object_ref (e));
    g_value_reset (&v);
  }
  g_value_unset (&v);
  gst_iterator_free (it);
  return webrtc;
}

TEST (Whip, ServerDeathIsDetectedByTheMediaWatchdog)
{
  auto server = std::make_unique<WhipTestServer> (WhipTestServer::Options {});
  Pipeline p (publisher (*server, "media-timeout=2500 error-on-failure=false",
          false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->video_frames () >= 10;
  }, 15s)) << p.errors ();
  /* let a receiver report or two arrive, then the server vanishes */
  std::this_thread::sleep_for (2s);
  auto t0 = std::chrono::steady_clock::now ();
  server.reset ();
  ASSERT_TRUE (p.wait_for ([&] {
    return p.has_message ("reswhipsink-failure");
  }, 15s)) << "no failure after the server died";
  auto took = std::chrono::steady_clock::now () - t0;
  EXPECT_LT (took, 10s);
  GstStructure *f = p.message ("reswhipsink-failure");
  EXPECT_EQ (field (f, "severity"), "transient");
  std::string stage = field (f, "stage");
  EXPECT_TRUE (stage == "media-timeout" || stage == "ice" || stage == "dtls")
      << stage << ": " << field (f, "reason");
  gst_structure_free (f);
}

TEST (Whip, MediaWatchdogStaysQuietWhileTheServerIsHealthy)
{
  WhipTestServer server ({});
  Pipeline p (publisher (server, "media-timeout=2500", true));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 3;
  }, 15s)) << p.errors ();
  std::this_thread::sleep_for (6s);
  EXPECT_FALSE (p.has_message ("reswhipsink-failure")) << p.errors ();
  GstElement *sink = p.by_name ("sink");
  gint status = -1;
  g_object_get (sink, "status", &status, NULL);
  EXPECT_EQ (status, 3);  /* connected */
  gst_object_unref (sink);
}

/* The watchdog judges whether the server acknowledges the RTP sent. When
 * the feed stops (an encoder or source stalls, not the server), no RTP
 * leaves, so there is nothing new to acknowledge: the server's receiver
 * reports stop advancing although it is alive. That is not a dead server
 * (a wrapper must not restart the publish as "server gone"; autorestoresink's
 * bitrate watch owns a stalled feed). */
TEST (Whip, MediaWatchdogDoesNotBlameTheServerForAStalledFeed)
{
  WhipTestServer server ({});
  Pipeline p ("videotestsrc is-live=true ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! valve name=v ! "
      "reswhipsink name=sink uri=whip://127.0.0.1:"
      + std::to_string (server.port ()) + "/endpoint/cam "
      "media-timeout=2000 error-on-failure=false");
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 15s)) << p.errors ();
  /* a receiver report or two acknowledging RTP: the watchdog is armed */
  std::this_thread::sleep_for (2s);
  GstElement *valve = p.by_name ("v");
  g_object_set (valve, "drop", TRUE, NULL);
  /* 3x media-timeout with nothing sent and the server alive */
  std::this_thread::sleep_for (6s);
  EXPECT_FALSE (p.has_message ("reswhipsink-failure")) << p.errors ();
  GstElement *sink = p.by_name ("sink");
  gint status = -1;
  g_object_get (sink, "status", &status, NULL);
  EXPECT_EQ (status, 3);  /* still connected */
  /* the feed resumes: the same session carries it */
  const int before = server.video_frames ();
  g_object_set (valve, "drop", FALSE, NULL);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= before + 30;
  }, 10s)) << p.errors ();
  EXPECT_EQ (server.sessions_created (), 1);
  gst_object_unref (valve);
  gst_object_unref (sink);
}

TEST (Whip, AnAbandonedSessionIsDeleted)
{
  WhipTestServer server ({});
  /* an answer that rejects the only m-line */
  server.script_post ({ 201, "/session/99", "", "application/sdp",
        "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        "m=video 0 UDP/TLS/RTP/SAVPF 102\r\na=mid:video0\r\n"
        "a=recvonly\r\n" });
  Pipeline p (publisher (server, "error-on-failure=false", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] {
    return p.has_message ("reswhipsink-failure");
  }, 10s));
  GstStructure *f = p.message ("reswhipsink-failure");
  EXPECT_EQ (field (f, "stage"), "answer");
  EXPECT_EQ (field (f, "severity"), "fatal");
  EXPECT_NE (field (f, "reason").find ("rejected"), std::string::npos)
      << field (f, "reason");
  gst_structure_free (f);
  /* DELETE right away, not only when the pipeline stops */
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.requests ("DELETE").size () == 1;
  }, 5s));
  auto dels = server.requests ("DELETE");
  ASSERT_EQ (dels.size (), 1u);
  EXPECT_EQ (dels[0].path, "/session/99");
  p.stop ();
  EXPECT_EQ (server.requests ("DELETE").size (), 1u) << "deleted once";
}

TEST (Whip, IceServersOfThe201AreUsedOnTheNextSession)
{
  WhipTestServer::Options o;
  o.links = { "<stun:127.0.0.1:9>; rel=\"ice-server\"" };
  WhipTestServer server (o);
  Pipeline p (publisher (server, "use-link-ice-servers=false "
          "gathering-timeout=1000", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 3;
  }, 15s)) << p.errors ();
  GstElement *sink = p.by_name ("sink");
  GstElement *webrtc = inner_webrtcbin (sink);
  ASSERT_NE (webrtc, nullptr);
  gchar *stun = nullptr;
  g_object_get (webrtc, "stun-server", &stun, NULL);
  EXPECT_EQ (stun, nullptr) << "no OPTIONS: nothing known before the 201";
  g_free (stun);
  gst_object_unref (webrtc);
  EXPECT_TRUE (server.requests ("OPTIONS").empty ());

  gst_element_set_state (p.get (), GST_STATE_READY);
  auto frames = server.video_frames ();
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= frames + 3;
  }, 15s)) << p.errors ();
  webrtc = inner_webrtcbin (sink);
  ASSERT_NE (webrtc, nullptr);
  g_object_get (webrtc, "stun-server", &stun, NULL);
  EXPECT_STREQ (stun, "stun://127.0.0.1:9");
  g_free (stun);
  gst_object_unref (webrtc);
  gst_object_unref (sink);
  EXPECT_EQ (server.sessions_created (), 2);
  EXPECT_EQ (server.sessions_deleted (), 1);
}

/* TURN through Debian's coturn on loopback, relay only: the credentials
 * from the Link header (with characters that must be percent-encoded) reach
 * webrtcbin intact. */
static std::unique_ptr<fixtures::ChildProcess>
start_coturn (int port, const std::string &log)
{
  gchar *bin = g_find_program_in_path ("turnserver");
  if (!bin)
    return nullptr;
  g_free (bin);
  int relay = fixtures::free_port (true);
  auto p = std::make_unique<fixtures::ChildProcess> (std::vector<std::string> {
        "turnserver", "-n", "--listening-ip", "127.0.0.1", "--listening-port",
        std::to_string (port), "--relay-ip", "127.0.0.1", "--min-port",
        std::to_string (relay), "--max-port", std::to_string (relay + 20),
        "--lt-cred-mech", "--user", "u:p@ss:w/rd", "--realm", "test",
        "--no-tls", "--no-dtls", "--allow-loopback-peers", "--no-cli",
        "--log-file", "stdout", "--simple-log" }, log);
  std::this_thread::sleep_for (500ms);
  return p;
}

static std::string
turn_link (int port, const std::string &credential)
{
  return "<turn:127.0.0.1:" + std::to_string (port) + "?transport=udp>; "
      "rel=\"ice-server\"; username=\"u\"; credential=\"" + credential
      + "\"";
}

TEST (Whip, RelayOnlyThroughCoturnWithLinkCredentials)
{
  fixtures::TempDir dir;
  int turn_port = fixtures::free_port (true);
  auto coturn = start_coturn (turn_port, dir.file ("coturn.log"));
  if (!coturn)
    FAIL () << "coturn (turnserver) is not installed: scripts/deps.sh installs it";
  WhipTestServer::Options o;
  o.links = { turn_link (turn_port, "p@ss:w/rd") };
  WhipTestServer server (o);
  Pipeline p (publisher (server, "relay-only=true gathering-timeout=2000",
          false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 20s)) << p.errors ();
  /* only relay candidates were offered: in the POSTed offer when gathering
   * was quick enough, else in trickle PATCHes (the first PATCH may carry
   * only end-of-candidates when the relay candidate was in the offer) */
  std::string offered;
  for (auto &r : server.requests ("POST"))
    offered += r.body;
  for (auto &r : server.requests ("PATCH"))
    offered += r.body;
  EXPECT_NE (offered.find ("typ relay"), std::string::npos) << offered;
  EXPECT_EQ (offered.find ("typ host"), std::string::npos) << offered;
}

TEST (Whip, RelayOnlyWithAWrongTurnPasswordFails)
{
  fixtures::TempDir dir;
  int turn_port = fixtures::free_port (true);
  auto coturn = start_coturn (turn_port, dir.file ("coturn.log"));
  if (!coturn)
    FAIL () << "coturn (turnserver) is not installed: scripts/deps.sh installs it";
  WhipTestServer::Options o;
  o.links = { turn_link (turn_port, "wrong") };
  WhipTestServer server (o);
  Pipeline p (publisher (server, "relay-only=true gathering-timeout=1500 "
          "connect-timeout=3000 error-on-failure=false", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] {
    return p.has_message ("reswhipsink-failure");
  }, 15s));
  EXPECT_EQ (server.video_frames (), 0u);
  GstStructure *f = p.message ("reswhipsink-failure");
  EXPECT_EQ (field (f, "severity"), "transient");
  gst_structure_free (f);
}

TEST (Whip, EndOfStreamEndsThePipelineAndTheSession)
{
  WhipTestServer server ({});
  Pipeline p ("videotestsrc is-live=true num-buffers=45 ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! "
      "reswhipsink name=sink uri=" + server.url ());
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return p.has_message ("eos"); }, 15s))
      << "the pipeline never got EOS; frames at the server: "
      << server.video_frames ();
  EXPECT_GT (server.video_frames (), 0u);
  p.stop ();
  EXPECT_EQ (server.sessions_deleted (), 1);
}

TEST (Whip, PublishesAlreadyEncodedH264AndOpusAsTheyAre)
{
  WhipTestServer server ({});
  Pipeline p ("videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
      "framerate=30/1 ! x264enc tune=zerolatency key-int-max=30 ! "
      "video/x-h264,profile=constrained-baseline ! h264parse ! "
      "reswhipsink name=sink uri=" + server.url () + " "
      "audiotestsrc is-live=true ! opusenc ! sink.");
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE) << p.errors ();
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10 && server.audio_frames () >= 5;
  }, 15s)) << "video " << server.video_frames () << " audio "
      << server.audio_frames () << "\n" << p.errors ()
      << server.last_refusal ();
  /* no second video or audio encoder in the sink */
  GstElement *sink = p.by_name ("sink");
  int encoders = 0;
  for (const char *e : { "x264enc", "vp8enc", "opusenc" })
    encoders += fixtures::count_elements (sink, e);
  gst_object_unref (sink);
  EXPECT_EQ (encoders, 0);
}

TEST (Whip, PublishesAlreadyEncodedVp8)
{
  WhipTestServer server ({});
  Pipeline p ("videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
      "framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=30 ! "
      "reswhipsink name=sink uri=" + server.url ());
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE) << p.errors ();
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 15s)) << p.errors () << server.last_refusal ();
  auto posts = server.requests ("POST");
  ASSERT_EQ (posts.size (), 1u);
  EXPECT_NE (posts[0].body.find ("VP8/90000"), std::string::npos);
}

TEST (Whip, UnsupportedInputIsAClearError)
{
  WhipTestServer server ({});
  Pipeline p ("audiotestsrc is-live=true ! audio/x-raw ! "
      "reswhipsink name=sink video-codecs=av1 uri=" + server.url ()
      + " videotestsrc is-live=true ! sink.video_0");
  p.play ();
  ASSERT_TRUE (p.wait_for ([&] { return p.has_message ("error"); }, 10s));
  EXPECT_NE (p.errors ().find ("no encoder"), std::string::npos) << p.errors ();
  EXPECT_TRUE (server.requests ("POST").empty ());
}

TEST (Whip, PostStatusMatrixThroughTheElement)
{
  struct Case
  {
    int status;
    const char *severity;
    const char *retry_after;
  };
  for (Case c : { Case { 429, "transient", "3" }, Case { 500, "transient", "" },
          Case { 404, "fatal", "" }, Case { 400, "fatal", "" },
          Case { 422, "fatal", "" }, Case { 403, "fatal", "" },
          Case { 302, "fatal", "" }, Case { 418, "fatal", "" } }) {
    WhipTestServer server ({});
    server.script_post ({ c.status, c.status == 302 ? "/elsewhere" : "",
          c.retry_after, "", "" });
    Pipeline p (publisher (server, "error-on-failure=false", false));
    ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
    ASSERT_TRUE (p.wait_for ([&] {
      return p.has_message ("reswhipsink-failure");
    }, 10s)) << c.status;
    GstStructure *f = p.message ("reswhipsink-failure");
    EXPECT_EQ (int_field (f, "http-status"), c.status);
    EXPECT_EQ (field (f, "severity"), c.severity) << c.status;
    gint64 ra = -2;
    gst_structure_get_int64 (f, "retry-after-ms", &ra);
    EXPECT_EQ (ra, *c.retry_after ? 3000 : -1) << c.status;
    gst_structure_free (f);
    EXPECT_EQ (server.requests ("POST").size (), 1u) << "no blind retry";
    EXPECT_TRUE (server.requests ("DELETE").empty ()) << "no session to end";
  }
}

TEST (Whip, EndOfCandidatesFollowsWhenGatheringOutlastsItsTimeout)
{
  /* an unanswering STUN server keeps gathering going for seconds: the
   * first PATCH goes out at the 201 with the host candidates, the end
   * marker follows in a second one when gathering completes */
  WhipTestServer::Options o;
  o.links = { "<stun:127.0.0.1:9>; rel=\"ice-server\"" };
  WhipTestServer server (o);
  Pipeline p (publisher (server, "gathering-timeout=1", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.end_of_candidates_seen () && server.video_frames () >= 5;
  }, 20s)) << p.errors ();
  auto patches = server.requests ("PATCH");
  ASSERT_EQ (patches.size (), 2u);
  EXPECT_EQ (patches[0].body.find ("a=end-of-candidates"), std::string::npos);
  for (auto &r : patches) {
    EXPECT_EQ (r.status, 204);
    EXPECT_NE (r.body.find ("a=ice-ufrag:"), std::string::npos);
  }
  EXPECT_NE (patches.back ().body.find ("a=end-of-candidates"),
      std::string::npos);
  EXPECT_GE (server.trickle_candidates (), 1);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  whiptest::register_elements ();
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}

/* libnice's UPnP port mapping is on by default and holds ICE gathering for
 * its 200 ms upnp-timeout: a non-trickle offer (and every end-of-candidates)
 * waited for it on every session, and each session logged a gupnp
 * warning. Our webrtcbin's agent runs without it, as browsers do. */
TEST (Whip, IceAgentRunsWithoutUpnp)
{
  WhipTestServer server ({});
  Pipeline p (publisher (server, "video-codecs=vp8 trickle=false", false));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 3;
  }, 15s)) << p.errors ();
  GstElement *sink = p.by_name ("sink");
  GstElement *webrtc = inner_webrtcbin (sink);
  ASSERT_NE (webrtc, nullptr);
  GObject *ice = nullptr, *agent = nullptr;
  g_object_get (webrtc, "ice-agent", &ice, NULL);
  ASSERT_NE (ice, nullptr);
  g_object_get (ice, "agent", &agent, NULL);
  ASSERT_NE (agent, nullptr);
  gboolean upnp = TRUE;
  g_object_get (agent, "upnp", &upnp, NULL);
  EXPECT_FALSE (upnp);
  GstStructure *st = nullptr;
  g_object_get (sink, "statistics", &st, NULL);
  gint64 sent = -1;
  if (st && gst_structure_get_int64 (st, "post-sent-ms", &sent))
    std::printf ("[ figures ] non-trickle offer POSTed %lld ms after "
        "PLAYING (gathering included)\n", (long long) sent);
  if (st)
    gst_structure_free (st);
  g_object_unref (agent);
  g_object_unref (ice);
  gst_object_unref (webrtc);
  gst_object_unref (sink);
}
