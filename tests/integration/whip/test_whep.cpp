/* reswhepsrc against the strict WHEP test server on loopback: media decoded
 * here, the HTTP conversation checked there. */
#include "harness.h"
#include "fixtures/whipserver.h"
#include "resilient/whip/retryafter.h"

#include <gtest/gtest.h>

#include <memory>

using fixtures::ScriptedResponse;
using fixtures::WhipTestServer;
using namespace std::chrono_literals;
using whiptest::PadCounter;
using whiptest::Pipeline;

static WhipTestServer::Options
whep_options ()
{
  WhipTestServer::Options o;
  o.kind = WhipTestServer::Kind::Whep;
  o.path = "/whep/cam";
  return o;
}

TEST (Whep, PlaysVp8AndOpusDecoded)
{
  auto o = whep_options ();
  o.token = "play-token";
  WhipTestServer server (o);
  std::string uri = "whep://127.0.0.1:" + std::to_string (server.port ())
      + "/whep/cam";
  Pipeline p ("reswhepsrc name=src uri=" + uri + " token=play-token");
  ASSERT_NE (p.get (), nullptr) << p.errors ();
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  PadCounter audio (p.get (), src, "audio_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] {
    return video.count () >= 10 && audio.count () >= 5;
  }, 15s)) << "video " << video.count () << " audio " << audio.count ()
      << "\nerrors: " << p.errors () << "\nrefusal: " << server.last_refusal ();
  EXPECT_NE (video.caps ().find ("video/x-raw"), std::string::npos)
      << video.caps ();
  EXPECT_NE (audio.caps ().find ("audio/x-raw"), std::string::npos)
      << audio.caps ();
  EXPECT_TRUE (p.has_message ("reswhepsrc-connected"));
  EXPECT_TRUE (p.has_message ("reswhepsrc-first-media"));
  p.stop ();
  EXPECT_EQ (server.sessions_deleted (), 1);
  for (auto &r : server.requests ())
    if (r.method != "OPTIONS")
      EXPECT_EQ (r.authorization, "Bearer play-token") << r.method;
}


static std::string
whep_uri (const WhipTestServer &server, const std::string &scheme = "whep")
{
  return scheme + "://127.0.0.1:" + std::to_string (server.port ())
      + "/whep/cam";
}

TEST (Whep, PlaysH264)
{
  auto o = whep_options ();
  o.video_codec = "H264";
  o.audio = false;
  WhipTestServer server (o);
  Pipeline p ("reswhepsrc name=src audio=false uri=" + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 15s))
      << p.errors () << server.last_refusal ();
  EXPECT_NE (video.caps ().find ("video/x-raw"), std::string::npos);
  /* the offer listed H264 and VP8, and the server picked H264 */
  auto posts = server.requests ("POST");
  ASSERT_EQ (posts.size (), 1u);
  EXPECT_NE (posts[0].body.find ("H264/90000"), std::string::npos);
  EXPECT_NE (posts[0].body.find ("VP8/90000"), std::string::npos);
  EXPECT_NE (posts[0].body.find ("a=recvonly"), std::string::npos);
}

TEST (Whep, OutputsRtpWhenTheCapsAskForIt)
{
  auto o = whep_options ();
  WhipTestServer server (o);
  Pipeline p ("reswhepsrc name=src caps=application/x-rtp uri="
      + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  PadCounter audio (p.get (), src, "audio_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] {
    return video.count () >= 10 && audio.count () >= 5;
  }, 15s)) << p.errors ();
  EXPECT_NE (video.caps ().find ("application/x-rtp"), std::string::npos)
      << video.caps ();
  EXPECT_NE (video.caps ().find ("VP8"), std::string::npos) << video.caps ();
  EXPECT_NE (audio.caps ().find ("OPUS"), std::string::npos) << audio.caps ();
}

TEST (Whep, OutputsEncodedVideoWhenTheCapsAskForIt)
{
  auto o = whep_options ();
  o.audio = false;
  WhipTestServer server (o);
  Pipeline p ("reswhepsrc name=src audio=false caps=video/x-vp8 uri="
      + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 15s))
      << p.errors ();
  EXPECT_NE (video.caps ().find ("video/x-vp8"), std::string::npos)
      << video.caps ();
}

TEST (Whep, AnswersA406CounterOffer)
{
  auto o = whep_options ();
  o.counter_offer = true;
  WhipTestServer server (o);
  Pipeline p ("reswhepsrc name=src uri=" + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 15s))
      << p.errors ();
  auto patches = server.requests ("PATCH");
  ASSERT_GE (patches.size (), 1u);
  EXPECT_EQ (patches[0].content_type, "application/sdp");
  EXPECT_EQ (patches[0].status, 204);
  EXPECT_NE (patches[0].body.find ("a=recvonly"), std::string::npos);
  p.stop ();
  EXPECT_EQ (server.sessions_deleted (), 1);
}

/* A counter-offer with a Valid-Until a few seconds ahead is answered in
 * time; one already expired (a date in the past) is a clear transient
 * failure at stage counter-offer, without any PATCH. */
TEST (Whep, CounterOfferAnsweredBeforeValidUntil)
{
  auto o = whep_options ();
  o.counter_offer = true;
  o.counter_offer_valid_until = "10";
  WhipTestServer server (o);
  Pipeline p ("reswhepsrc name=src uri=" + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 15s))
      << p.errors ();
  auto patches = server.requests ("PATCH");
  ASSERT_GE (patches.size (), 1u);
  EXPECT_EQ (patches[0].status, 204);
  EXPECT_FALSE (p.has_message ("reswhepsrc-failure"));
}

TEST (Whep, ExpiredCounterOfferFailsClearly)
{
  auto o = whep_options ();
  o.counter_offer = true;
  o.counter_offer_valid_until = "Sun, 06 Nov 1994 08:49:37 GMT";
  WhipTestServer server (o);
  Pipeline p ("reswhepsrc name=src uri=" + whep_uri (server));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return p.has_message ("error"); }, 10s));
  GstStructure *f = p.message ("reswhepsrc-failure");
  ASSERT_NE (f, nullptr);
  EXPECT_STREQ (gst_structure_get_string (f, "severity"), "transient");
  EXPECT_STREQ (gst_structure_get_string (f, "stage"), "counter-offer");
  int st = 0;
  gst_structure_get_int (f, "http-status", &st);
  EXPECT_EQ (st, 406);
  std::string reason = gst_structure_get_string (f, "reason");
  EXPECT_NE (reason.find ("expired"), std::string::npos) << reason;
  gst_structure_free (f);
  EXPECT_TRUE (server.requests ("PATCH").empty ());
}

TEST (Whep, NothingPublishedYetIsTransientWithRetryAfter)
{
  WhipTestServer server (whep_options ());
  server.script_post ({ 409, "", "Sun, 06 Nov 2095 08:49:37 GMT", "", "" });
  Pipeline p ("reswhepsrc name=src uri=" + whep_uri (server));
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return p.has_message ("error"); }, 10s));
  GstStructure *f = p.message ("reswhepsrc-failure");
  ASSERT_NE (f, nullptr);
  EXPECT_STREQ (gst_structure_get_string (f, "severity"), "transient");
  int st = 0;
  gst_structure_get_int (f, "http-status", &st);
  EXPECT_EQ (st, 409);
  gint64 ra = -1;
  gst_structure_get_int64 (f, "retry-after-ms", &ra);
  /* An HTTP-date decades ahead is clamped to the documented maximum. */
  EXPECT_EQ (ra, resilient::whip::kMaxHttpDelaySeconds * 1000);
  gst_structure_free (f);
}

TEST (Whep, PlaybinPlaysAWhepUri)
{
  auto o = whep_options ();
  WhipTestServer server (o);
  GstElement *playbin = gst_element_factory_make ("playbin", nullptr);
  ASSERT_NE (playbin, nullptr);
  GstElement *vsink = gst_element_factory_make ("fakesink", nullptr);
  GstElement *asink = gst_element_factory_make ("fakesink", nullptr);
  std::atomic<int> frames { 0 };
  GstPad *pad = gst_element_get_static_pad (vsink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, [] (GstPad *,
          GstPadProbeInfo *, gpointer d) {
        (*static_cast<std::atomic<int> *> (d))++;
        return GST_PAD_PROBE_OK;
      }, &frames, nullptr);
  gst_object_unref (pad);
  g_object_set (playbin, "uri", whep_uri (server).c_str (), "video-sink", vsink,
      "audio-sink", asink, NULL);
  Pipeline p (playbin);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return frames.load () >= 10; }, 15s))
      << p.errors ();
}

TEST (Whep, BadUriIsAClearConfigurationError)
{
  Pipeline p ("reswhepsrc name=src uri=rtsp://127.0.0.1/x");
  EXPECT_EQ (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_NE (p.errors ().find ("whep"), std::string::npos) << p.errors ();
  Pipeline q ("reswhepsrc name=src");
  EXPECT_EQ (q.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_NE (q.errors ().find ("no endpoint"), std::string::npos)
      << q.errors ();
}

TEST (Whep, ServerDeathIsDetectedByTheMediaWatchdog)
{
  auto server = std::make_unique<WhipTestServer> (whep_options ());
  Pipeline p ("reswhepsrc name=src media-timeout=1500 error-on-failure=false "
      "uri=" + whep_uri (*server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 15s))
      << p.errors ();
  auto t0 = std::chrono::steady_clock::now ();
  server.reset ();
  ASSERT_TRUE (p.wait_for ([&] {
    return p.has_message ("reswhepsrc-failure");
  }, 10s)) << "no failure after the server died";
  EXPECT_LT (std::chrono::steady_clock::now () - t0, 5s);
  GstStructure *f = p.message ("reswhepsrc-failure");
  EXPECT_STREQ (gst_structure_get_string (f, "severity"), "transient");
  std::string stage = gst_structure_get_string (f, "stage");
  EXPECT_TRUE (stage == "media-timeout" || stage == "ice" || stage == "dtls")
      << stage;
  gst_structure_free (f);
}

TEST (Whep, RestartsWithAFreshSession)
{
  WhipTestServer server (whep_options ());
  Pipeline p ("reswhepsrc name=src uri=" + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 15s))
      << p.errors ();
  gst_element_set_state (p.get (), GST_STATE_READY);
  EXPECT_EQ (server.sessions_deleted (), 1);
  auto before = video.count ();
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return video.count () >= before + 10; },
          15s)) << p.errors ();
  EXPECT_EQ (server.sessions_created (), 2);
  gst_object_unref (src);
}

/* A video-only pipeline, as a new user writes it: the audio pad stays
 * unlinked. Its buffers are dropped; before, its not-linked reached the
 * bundled transport and stopped the video too ("streaming stopped, reason
 * not-linked" from nicesrc) whenever audio came first. */
TEST (Whep, UnlinkedAudioPadDoesNotStopTheVideo)
{
  WhipTestServer server (whep_options ());
  Pipeline p ("reswhepsrc name=src uri=" + whep_uri (server));
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE (p.wait_for ([&] { return video.count () >= 60; }, 15s))
      << p.errors ();
  EXPECT_TRUE (p.errors ().empty ()) << p.errors ();
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  whiptest::register_elements ();
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
