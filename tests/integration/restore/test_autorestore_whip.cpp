/* autorestoresink publishing to the strict WHIP test server: a server
 * restarted (the publisher restores, the new server decodes), a server that
 * refuses H264 (VP8 takes over in the running pipeline), a wrong token (one
 * clear error, no retry loop). The elements come from the plugin. */
#include "fixtures/process.h"
#include "fixtures/whipserver.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <unistd.h>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono;
using fixtures::ScriptedResponse;
using fixtures::WhipTestServer;

namespace {

/* The publisher pipeline with its bus messages collected on the streaming
 * threads (sync handler). No audio-encoder: with only WHIP destinations the
 * element picks Opus itself. */
class Publisher
{
public:
  explicit Publisher (const std::string &location, const std::string &extra = {})
  {
    std::string desc = "videotestsrc is-live=true pattern=ball ! "
        "video/x-raw,width=320,height=240,framerate=30/1 ! "
        "autorestoresink name=ars keyframe-interval=1000 "
        "location=" + location + " " + extra + " "
        "audiotestsrc is-live=true ! ars.audio";
    GError *err = nullptr;
    pipeline_ = gst_parse_launch (desc.c_str (), &err);
    EXPECT_EQ (err, nullptr) << (err ? err->message : "");
    g_clear_error (&err);
    GstBus *bus = gst_element_get_bus (pipeline_);
    gst_bus_set_sync_handler (bus, on_message, this, nullptr);
    gst_object_unref (bus);
    gst_element_set_state (pipeline_, GST_STATE_PLAYING);
  }
  ~Publisher ()
  {
    gst_element_set_state (pipeline_, GST_STATE_NULL);
    GstBus *bus = gst_element_get_bus (pipeline_);
    gst_bus_set_sync_handler (bus, nullptr, nullptr, nullptr);
    gst_object_unref (bus);
    gst_object_unref (pipeline_);
  }
  int count (const std::string &name) const
  {
    std::lock_guard<std::mutex> g (lock_);
    int n = 0;
    for (auto &m : names_)
      n += m == name;
    return n;
  }
  std::vector<std::string> errors () const
  {
    std::lock_guard<std::mutex> g (lock_);
    return errors_;
  }
  std::string all () const
  {
    std::lock_guard<std::mutex> g (lock_);
    std::string out;
    for (auto &m : names_)
      out += m + "; ";
    for (auto &e : errors_)
      out += "error: " + e + "; ";
    return out;
  }
  std::string stat (const char *field) const
  {
    GstElement *ars = gst_bin_get_by_name (GST_BIN (pipeline_), "ars");
    GstStructure *s = nullptr;
    g_object_get (ars, "statistics", &s, nullptr);
    gchar *v = s && gst_structure_has_field (s, field)
        ? gst_value_serialize (gst_structure_get_value (s, field))
        : g_strdup ("");
    std::string out = v;
    g_free (v);
    if (s)
      gst_structure_free (s);
    gst_object_unref (ars);
    return out;
  }

  /* The profile in the caps out of the video encoder inside the element. */
  std::string encoder_profile () const
  {
    GstElement *ars = gst_bin_get_by_name (GST_BIN (pipeline_), "ars");
    GstIterator *it = gst_bin_iterate_recurse (GST_BIN (ars));
    GValue v = G_VALUE_INIT;
    std::string profile;
    while (gst_iterator_next (it, &v) == GST_ITERATOR_OK) {
      auto *e = GST_ELEMENT (g_value_get_object (&v));
      GstElementFactory *f = gst_element_get_factory (e);
      if (f && std::string (GST_OBJECT_NAME (f)) == "x264enc") {
        GstPad *pad = gst_element_get_static_pad (e, "src");
        GstCaps *caps = gst_pad_get_current_caps (pad);
        const char *p = caps ? gst_structure_get_string (
            gst_caps_get_structure (caps, 0), "profile") : nullptr;
        profile = p ? p : "";
        if (caps)
          gst_caps_unref (caps);
        gst_object_unref (pad);
      }
      g_value_reset (&v);
    }
    g_value_unset (&v);
    gst_iterator_free (it);
    gst_object_unref (ars);
    return profile;
  }

private:
  static GstBusSyncReply on_message (GstBus *, GstMessage *m, gpointer d)
  {
    auto *self = static_cast<Publisher *> (d);
    std::lock_guard<std::mutex> g (self->lock_);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT
        && gst_message_get_structure (m)) {
      const GstStructure *st = gst_message_get_structure (m);
      self->names_.push_back (gst_structure_get_name (st));
      const char *r = gst_structure_get_string (st, "reason");
      if (gst_structure_has_name (st, "autorestoresink-republish"))
        self->republish_reasons_.push_back (r ? r : "");
      if (gst_structure_has_name (st, "autorestoresink-republish")
          || gst_structure_has_name (st, "autorestoresink-retry"))
        self->end_reasons_.push_back (r ? r : "");
    }
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *e = nullptr;
      gst_message_parse_error (m, &e, nullptr);
      self->errors_.push_back (e ? e->message : "");
      g_clear_error (&e);
    }
    return GST_BUS_DROP;
  }
  GstElement *pipeline_;
  mutable std::mutex lock_;
  std::vector<std::string> names_;
  std::vector<std::string> errors_;
  std::vector<std::string> republish_reasons_;
  std::vector<std::string> end_reasons_;

public:
  /* Why the first session ended: the reason of the first republish or
   * retry message (the statistics' last-failure is overwritten by the
   * failed attempts that follow). */
  std::string first_end_reason () const
  {
    std::lock_guard<std::mutex> g (lock_);
    return end_reasons_.empty () ? "" : end_reasons_.front ();
  }
  std::vector<std::string> republish_reasons () const
  {
    std::lock_guard<std::mutex> g (lock_);
    return republish_reasons_;
  }
};

std::string
whip_location (const WhipTestServer &server, const std::string &userinfo = {})
{
  return "whip://" + userinfo + "127.0.0.1:" + std::to_string (server.port ())
      + "/endpoint/cam";
}

}  // namespace

TEST (AutoRestoreSinkWhip, ServerRestartedPublisherRestoresAndTheNewServerDecodes)
{
  auto server = std::make_unique<WhipTestServer> (WhipTestServer::Options {});
  const int port = server->port ();
  /* Short ping settings: 4 pings over 2000 ms. The server reports about
   * every second (0.5 to 1.5 s), so the silence allowed is at most
   * 3 x 1.5 s = 4.5 s (rrwatch.h). */
  Publisher pub (whip_location (*server),
                 "missing-pings=4 ping-check-period=2000");
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->video_frames () >= 15 && server->audio_frames () >= 5;
  }, 15s)) << pub.all ();
  EXPECT_EQ (pub.stat ("status"), "publishing");
  /* A few receiver reports: the publisher learns the server's cadence,
   * from then on a silence of a few reports means it is gone. */
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return std::atoll (pub.stat ("pings").c_str ()) >= 3;
  }, 12s)) << pub.stat ("pings");
  EXPECT_GT (std::atoll (pub.stat ("bytes-out").c_str ()), 10000);

  server.reset ();
  auto down = steady_clock::now ();
  std::this_thread::sleep_for (500ms);
  WhipTestServer::Options o;
  o.port = port;
  server = std::make_unique<WhipTestServer> (o);
  auto up = steady_clock::now ();
  const gint64 up_us = g_get_monotonic_time ();
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->video_frames () >= 15 && server->audio_frames () >= 5;
  }, 30s)) << pub.all () << " frames " << server->video_frames ();
  const long long restore_ms = (server->first_video_us () - up_us) / 1000;
  std::printf ("[ figures ] WHIP server restarted after %lld ms: first frame "
      "decoded by the new server %lld ms after it came up\n",
      (long long) duration_cast<milliseconds> (up - down).count (),
      restore_ms);
  EXPECT_GE (pub.count ("autorestoresink-restored"), 1) << pub.all ();
  EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
  EXPECT_EQ (server->sessions_created (), 1);
  /* Noticed after at most 4.5 s of silence (was a fixed 10 s), then the
   * TCP probe retries at once: well under the old ~10 s. */
  EXPECT_LT (restore_ms, 7000) << pub.all ();
}

/* A server whose feedback comes every ~100 ms (as transport-wide-cc
 * feedback from browsers, Janus or pion does; the test server sends RTCP
 * that often) is judged by the fast watch (lib/resilient/whip/
 * feedbackwatch.h): its death ends the session within about a second,
 * with the default ping settings, and 3 s of healthy publishing before
 * that end nothing. */
TEST (AutoRestoreSinkWhip, ServerWithFrequentFeedbackIsNoticedDeadWithinASecond)
{
  WhipTestServer::Options o;
  o.rtcp_interval_ms = 100;
  auto server = std::make_unique<WhipTestServer> (o);
  Publisher pub (whip_location (*server));
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->video_frames () >= 15
        && std::atoll (pub.stat ("pings").c_str ()) >= 20;
  }, 15s)) << pub.all () << " pings " << pub.stat ("pings");
  std::this_thread::sleep_for (3s);
  ASSERT_EQ (pub.count ("autorestoresink-republish"), 0) << pub.all ();
  ASSERT_EQ (pub.count ("autorestoresink-retry"), 0) << pub.all ();
  server.reset ();
  auto down = steady_clock::now ();
  /* the session ends: republished at once, or (the server being gone)
   * a retry scheduled */
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return pub.count ("autorestoresink-republish")
        + pub.count ("autorestoresink-retry") >= 1;
  }, 10s)) << pub.all ();
  const long long ms = (long long) duration_cast<milliseconds> (
      steady_clock::now () - down).count ();
  std::printf ("[ figures ] WHIP server with 100 ms feedback killed: "
      "session ended after %lld ms\n", ms);
  EXPECT_EQ (pub.first_end_reason (), "pings-missing") << pub.all ();
  /* 6 x ~100 ms of silence allowed (at least 500 ms) plus the check's
   * polling: well under the ~5 s a receiver-report-only server takes.
   * The bound leaves room for a loaded machine. */
  EXPECT_LT (ms, 1500) << pub.all ();
}

/* The default keyframe interval (2000 ms): the group held and replayed on
 * restore is up to 2 s long, and its audio and video must keep one time
 * base in the new session. The new server then decodes at the full 30
 * frames/s from its first frame, not a trickle. */
TEST (AutoRestoreSinkWhip, ServerRestartedWithDefaultKeyframeIntervalDecodesAtFullRate)
{
  auto server = std::make_unique<WhipTestServer> (WhipTestServer::Options {});
  const int port = server->port ();
  /* Set last, overriding the Publisher's 1000: the element's default. */
  Publisher pub (whip_location (*server),
                 "missing-pings=4 ping-check-period=2000 keyframe-interval=2000");
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->video_frames () >= 15 && server->audio_frames () >= 5;
  }, 15s)) << pub.all ();
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return std::atoll (pub.stat ("pings").c_str ()) >= 3;
  }, 12s)) << pub.stat ("pings");

  server.reset ();
  /* Restart once the publisher has noticed, late in a group of pictures:
   * the group held and replayed is then well over 1 s old (the depth of
   * reswhipsink's input queue), the case that used to trickle. */
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return pub.stat ("status") != "publishing";
  }, 15s)) << pub.all ();
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    const long long held = std::atoll (pub.stat ("held-ms").c_str ());
    return held >= 1200 && held <= 1500;
  }, 10s)) << pub.stat ("held-ms");
  WhipTestServer::Options o;
  o.port = port;
  server = std::make_unique<WhipTestServer> (o);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server->first_video_us () > 0;
  }, 30s)) << pub.all ();
  const gint64 first_us = server->first_video_us ();
  auto frames_at = [&] (gint64 after_us) {
    const gint64 wait_us = first_us + after_us - g_get_monotonic_time ();
    if (wait_us > 0)
      std::this_thread::sleep_for (microseconds (wait_us));
    return (long long) server->video_frames ();
  };
  const long long in_2s = frames_at (2 * G_USEC_PER_SEC);
  const long long in_4s = frames_at (4 * G_USEC_PER_SEC);
  std::printf ("[ figures ] WHIP restored session, keyframe-interval 2000: "
      "%lld video frames decoded in the 2 s after the first, %lld in the "
      "2 s after that (30 frames/s sent)\n", in_2s, in_4s - in_2s);
  EXPECT_GE (in_2s, 20) << pub.all ();
  EXPECT_GE (in_4s - in_2s, 45) << pub.all ();
  EXPECT_GE (server->audio_frames (), 20u) << pub.all ();
  EXPECT_GE (pub.count ("autorestoresink-restored"), 1) << pub.all ();
  EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
}

/* Buffers dropped on their way into reswhipsink inside the publish session:
 * what an encoder or payloader that stops producing for the network looks
 * like to the transport. Media still comes into the element, no RTP leaves;
 * the server is healthy and keeps reporting (nothing new to acknowledge, so
 * no ping is owed). Set from the test, read by the probe. */
static std::atomic<bool> drop_into_whip{ false };

static GstPadProbeReturn
drop_while_asked (GstPad *, GstPadProbeInfo *, gpointer)
{
  return drop_into_whip ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK;
}

static void
on_whip_pad_added (GstElement *, GstPad *pad, gpointer)
{
  if (GST_PAD_IS_SINK (pad))
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, drop_while_asked,
        nullptr, nullptr);
}

/* Every GstBin's element-added: the session pipelines are not reachable
 * from the application's pipeline, so watch them all for reswhipsink. */
static gboolean
on_element_added (GSignalInvocationHint *, guint n, const GValue *params,
    gpointer)
{
  if (n < 2)
    return TRUE;
  auto *e = GST_ELEMENT (g_value_get_object (&params[1]));
  GstElementFactory *f = e ? gst_element_get_factory (e) : nullptr;
  if (f && std::string (GST_OBJECT_NAME (f)) == "reswhipsink")
    g_signal_connect (e, "pad-added", G_CALLBACK (on_whip_pad_added),
        nullptr);
  return TRUE;
}

TEST (AutoRestoreSinkWhip, FeedStoppingBeforeTheNetworkIsRepublishedOnZeroBitrate)
{
  const guint sig = g_signal_lookup ("element-added", GST_TYPE_BIN);
  const gulong hook = g_signal_add_emission_hook (sig, 0, on_element_added,
      nullptr, nullptr);
  drop_into_whip = false;
  WhipTestServer server ({});
  {
    Publisher pub (whip_location (server));
    ASSERT_TRUE (WhipTestServer::wait_until ([&] {
      return server.video_frames () >= 15
          && std::atoll (pub.stat ("pings").c_str ()) >= 1;
    }, 15s)) << pub.all ();
    const int restored_before = pub.count ("autorestoresink-restored");
    drop_into_whip = true;
    const auto stopped = steady_clock::now ();
    /* the seed's bitrate watch: 3 x 500 ms without bytes out */
    ASSERT_TRUE (WhipTestServer::wait_until ([&] {
      return pub.count ("autorestoresink-republish") >= 1;
    }, 10s)) << pub.all ();
    const auto noticed = duration_cast<milliseconds> (
        steady_clock::now () - stopped);
    auto reasons = pub.republish_reasons ();
    ASSERT_FALSE (reasons.empty ());
    EXPECT_EQ (reasons.front (), "bitrate-zero") << pub.all ();
    EXPECT_LT (noticed.count (), 6000);
    drop_into_whip = false;
    const auto resumed = steady_clock::now ();
    const int frames_then = server.video_frames ();
    ASSERT_TRUE (WhipTestServer::wait_until ([&] {
      return pub.count ("autorestoresink-restored") > restored_before
          && server.video_frames () >= frames_then + 30;
    }, 20s)) << pub.all () << " frames " << server.video_frames ();
    std::printf ("[ figures ] WHIP feed stopped before the network: "
        "republished (bitrate-zero) after %lld ms; decoding again %lld ms "
        "after the feed resumed\n", (long long) noticed.count (),
        (long long) duration_cast<milliseconds> (
            steady_clock::now () - resumed).count ());
    for (auto &r : pub.republish_reasons ())
      EXPECT_EQ (r, "bitrate-zero") << pub.all ();
    EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
  }
  g_signal_remove_emission_hook (sig, hook);
}

/* The last "video frames N" the server program printed. */
static long long
program_frames (const std::string &log)
{
  std::ifstream in (log);
  std::string line;
  long long n = -1;
  while (std::getline (in, line))
    if (line.rfind ("video frames ", 0) == 0)
      n = std::atoll (line.c_str () + 13);
  return n;
}

TEST (AutoRestoreSinkWhip, StalledServerReceivingNothingIsRepublishedAndRestored)
{
  /* The server as its own process, so it can be stopped: nothing reaches
   * its decoder any more, the publisher's RTP still leaves (UDP). */
  const char *root = g_getenv ("RESILIENT_BUILD_ROOT");
  std::string bin = std::string (root ? root : "build")
      + "/tests/fixtures/resilient-whip-test-server";
  if (access (bin.c_str (), X_OK) != 0)
    FAIL () << bin << " not built";
  const int port = fixtures::free_port ();
  std::string log = "/tmp/autorestore-whip-" + std::to_string (getpid ())
      + ".log";
  fixtures::ChildProcess server ({ bin, "whip", std::to_string (port) }, log);
  ASSERT_TRUE (fixtures::wait_for_tcp_port (port, 5s));
  Publisher pub ("whip://127.0.0.1:" + std::to_string (port) + "/endpoint/cam");
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return std::atoll (pub.stat ("pings").c_str ()) >= 1
        && program_frames (log) >= 15;
  }, 15s)) << pub.all ();

  server.stop ();
  auto stalled = steady_clock::now ();
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return pub.stat ("last-failure").find ("pings-missing")
        != std::string::npos;
  }, 15s)) << pub.all () << " " << pub.stat ("last-failure");
  auto noticed = duration_cast<milliseconds> (steady_clock::now () - stalled);
  int restored_before = pub.count ("autorestoresink-restored");
  server.cont ();
  auto resumed = steady_clock::now ();
  const long long frames_then = program_frames (log);
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return pub.count ("autorestoresink-restored") > restored_before
        && program_frames (log) >= frames_then + 30;
  }, 20s)) << pub.all () << " frames " << program_frames (log);
  std::printf ("[ figures ] stalled WHIP server noticed after %lld ms; "
      "publishing again %lld ms after it resumed\n",
      (long long) noticed.count (), (long long) duration_cast<milliseconds> (
          steady_clock::now () - resumed).count ());
  EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
  server.terminate ();
  unlink (log.c_str ());
}

TEST (AutoRestoreSinkWhip, ServerRefusingH264GetsVp8FromTheRunningPipeline)
{
  WhipTestServer server ({});
  ScriptedResponse r;
  r.status = 400;
  r.content_type = "application/problem+json";
  r.body = "{\"type\":\"about:blank\",\"title\":\"Unsupported codec\","
      "\"detail\":\"H264 is not supported here, offer VP8\"}";
  server.script_post (r);
  Publisher pub (whip_location (server));
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 15;
  }, 20s)) << pub.all ();
  EXPECT_EQ (pub.stat ("video-codec"), "vp8");
  EXPECT_GE (pub.count ("autorestoresink-codec-changed"), 1) << pub.all ();
  EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
  auto posts = server.requests ("POST");
  ASSERT_GE (posts.size (), 2u);
  EXPECT_EQ (posts[0].status, 400);
  EXPECT_NE (posts.back ().body.find ("VP8/90000"), std::string::npos);
  EXPECT_EQ (posts.back ().body.find ("H264/90000"), std::string::npos);
}

TEST (AutoRestoreSinkWhip, AnswerWithoutH264GetsVp8FromTheRunningPipeline)
{
  WhipTestServer::Options o;
  o.answer_without_codec = "H264";
  WhipTestServer server (o);
  Publisher pub (whip_location (server));
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return pub.stat ("video-codec") == "vp8"
        && server.requests ("POST").size () >= 2;
  }, 15s)) << pub.all ();
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 15s)) << pub.all ();
  EXPECT_EQ (pub.count ("autorestoresink-codec-changed"), 1) << pub.all ();
  EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
  auto posts = server.requests ("POST");
  EXPECT_NE (posts[0].body.find ("H264/90000"), std::string::npos);
  EXPECT_NE (posts.back ().body.find ("VP8/90000"), std::string::npos);
  /* The refused session was DELETEd (off the control loop). */
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.sessions_deleted () >= 1;
  }, 5s));
}

TEST (AutoRestoreSinkWhip, ServiceUnavailableIsRetriedAfterRetryAfter)
{
  WhipTestServer server ({});
  ScriptedResponse r;
  r.status = 503;
  r.retry_after = "2";
  server.script_post (r);
  Publisher pub (whip_location (server));
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.requests ("POST").size () >= 1;
  }, 10s)) << pub.all ();
  auto first = steady_clock::now ();
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return server.requests ("POST").size () >= 2;
  }, 10s)) << pub.all ();
  auto waited = duration_cast<milliseconds> (steady_clock::now () - first);
  EXPECT_GE (waited.count (), 1800) << "Retry-After: 2 not honoured";
  EXPECT_LE (waited.count (), 4000);
  EXPECT_TRUE (WhipTestServer::wait_until ([&] {
    return server.video_frames () >= 10;
  }, 15s)) << pub.all ();
  EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
  std::printf ("[ figures ] 503 Retry-After: 2 -> next POST after %lld ms\n",
      (long long) waited.count ());
}

TEST (AutoRestoreSinkWhip, WrongTokenIsOneClearErrorWithoutARetryLoop)
{
  WhipTestServer::Options o;
  o.token = "right-token";
  WhipTestServer server (o);
  Publisher pub (whip_location (server, "wrong-token@"));
  ASSERT_TRUE (WhipTestServer::wait_until ([&] {
    return !pub.errors ().empty ();
  }, 10s)) << pub.all ();
  std::this_thread::sleep_for (2s);
  EXPECT_EQ (pub.errors ().size (), 1u) << pub.all ();
  EXPECT_NE (pub.errors ()[0].find ("401"), std::string::npos)
      << pub.errors ()[0];
  EXPECT_EQ (pub.errors ()[0].find ("wrong-token"), std::string::npos);
  EXPECT_EQ (server.requests ("POST").size (), 1u);
  EXPECT_EQ (server.video_frames (), 0u);
}

TEST (AutoRestoreSinkWhip, RightTokenInTheLocationPublishes)
{
  WhipTestServer::Options o;
  o.token = "right-token";
  WhipTestServer server (o);
  {
    Publisher pub (whip_location (server, "right-token@"));
    EXPECT_TRUE (WhipTestServer::wait_until ([&] {
      return server.video_frames () >= 10;
    }, 15s)) << pub.all ();
    EXPECT_TRUE (pub.errors ().empty ()) << pub.all ();
    /* What the offer announces (42e01f): Constrained Baseline. */
    EXPECT_EQ (pub.encoder_profile (), "constrained-baseline");
  }
  /* Stopping the pipeline DELETEs the session, with the token. */
  EXPECT_EQ (server.sessions_deleted (), 1);
  auto deletes = server.requests ("DELETE");
  ASSERT_EQ (deletes.size (), 1u);
  EXPECT_EQ (deletes[0].authorization, "Bearer right-token");
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
