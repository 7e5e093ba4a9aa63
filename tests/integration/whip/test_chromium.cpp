/* Interop with a real browser engine: Debian's chromium (headless) is the
 * far end of reswhipsink, reswhepsrc and autorestoresink's WHIP sessions.
 *
 * tests/interop/chromium/peer.py is a WHIP and WHEP endpoint that relays
 * each offer to tests/interop/chromium/page.html in chromium: a WHIP offer
 * is answered by an RTCPeerConnection that receives and decodes (getStats
 * framesDecoded), a WHEP offer by one that sends chromium's fake camera and
 * microphone. Trickle PATCHes become addIceCandidate, DELETE closes the
 * page's connection. The elements come from the plugin.
 *
 * CHROMIUM_REPEAT=N runs each codec case N times in a row (default 1). */
#include "harness.h"
#include "fixtures/chromiumpeer.h"
#include "resilient/whip/sdp.h"

#include <gio/gio.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

using namespace std::chrono;
using namespace std::chrono_literals;
using whiptest::PadCounter;
using whiptest::Pipeline;

namespace {

using fixtures::PageSession;

/* When `pred` holds (polled every 100 ms); false at the timeout. */
template <typename Pred>
bool
wait (Pred pred, milliseconds timeout)
{
  auto end = steady_clock::now () + timeout;
  while (steady_clock::now () < end) {
    if (pred ())
      return true;
    std::this_thread::sleep_for (100ms);
  }
  return false;
}

/* One browser for the whole binary: chromium takes seconds to start. */
fixtures::ChromiumPeer *browser = nullptr;

int
repeat ()
{
  const char *r = g_getenv ("CHROMIUM_REPEAT");
  return r ? std::max (1, atoi (r)) : 1;
}

void
ensure_browser ()
{
  if (!browser)
    browser = new fixtures::ChromiumPeer ();
  ASSERT_TRUE (browser->peer_ready ()) << "peer.py did not start";
  if (!browser->page_alive ())
    ASSERT_TRUE (browser->start_chromium ())
        << "chromium did not load the page (is the chromium package "
           "installed? scripts/debian-packages.txt)";
}

/* Publishes `codec` + Opus with reswhipsink; the page must decode it. */
void
whip_case (const std::string &codec, const std::string &mime)
{
  ensure_browser ();
  for (int round = 0; round < repeat (); round++) {
    SCOPED_TRACE ("round " + std::to_string (round));
    int before = browser->last () ? browser->last ()->id : 0;
    int id = 0;
    {
      Pipeline p (
          "videotestsrc is-live=true ! video/x-raw,width=320,"
          "height=240,framerate=30/1 ! reswhipsink name=sink video-codecs="
          + codec + " uri=" + browser->uri ("whip", "/whip")
          + " audiotestsrc is-live=true ! sink.");
      ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
      std::optional<PageSession> s;
      bool decoded = wait (
          [&] {
            s = browser->last ();
            return s && s->id > before && s->frames_decoded >= 30
                   && s->in_audio_packets >= 20;
          },
          30s);
      ASSERT_TRUE (decoded)
          << "page: "
          << (s ? s->in_video_codec + " " + std::to_string (s->frames_decoded)
                      + " frames, " + std::to_string (s->in_audio_packets)
                      + " audio packets"
                : "no session")
          << "\n"
          << p.errors ();
      EXPECT_EQ (s->in_video_codec, mime);
      id = s->id;
      /* the offer reswhipsink sent names every stream it sends */
      std::string offer = browser->offer (id);
      ASSERT_FALSE (offer.empty ());
      auto problems = resilient::whip::routing_problems (offer);
      EXPECT_TRUE (problems.empty ()) << problems[0] << "\n" << offer;
      for (const char *want :
           { "a=ssrc:", "transport-cc", resilient::whip::kSdesMidUri,
             resilient::whip::kTwccUri })
        EXPECT_NE (offer.find (want), std::string::npos) << want;
    }
    /* stopping DELETEs the session */
    EXPECT_TRUE (
        wait ([&] { return browser->sessions ()[id].deleted; }, 5s))
        << "no DELETE for session " << id;
  }
}

/* Plays chromium's camera with reswhepsrc offering `order`; the page must
 * send `mime` and reswhepsrc decode it. */
void
whep_case (const std::string &order, const std::string &mime)
{
  ensure_browser ();
  for (int round = 0; round < repeat (); round++) {
    SCOPED_TRACE ("round " + std::to_string (round));
    int before = browser->last () ? browser->last ()->id : 0;
    int id = 0;
    {
      Pipeline p ("reswhepsrc name=src video-codecs=" + order
                  + " uri=" + browser->uri ("whep", "/whep"));
      GstElement *src = p.by_name ("src");
      PadCounter video (p.get (), src, "video_");
      PadCounter audio (p.get (), src, "audio_");
      gst_object_unref (src);
      ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
      EXPECT_TRUE (p.wait_for (
          [&] { return video.count () >= 10 && audio.count () >= 10; }, 30s))
          << "decoded " << video.count () << " video, " << audio.count ()
          << " audio buffers\n"
          << p.errors ();
      EXPECT_NE (video.caps ().find ("video/x-raw"), std::string::npos);
      auto s = browser->last ();
      ASSERT_TRUE (s && s->id > before);
      EXPECT_EQ (s->out_video_codec, mime) << "offer order " << order;
      id = s->id;
      std::string offer = browser->offer (id);
      auto problems = resilient::whip::routing_problems (offer);
      EXPECT_TRUE (problems.empty ()) << problems[0] << "\n" << offer;
    }
    EXPECT_TRUE (
        wait ([&] { return browser->sessions ()[id].deleted; }, 5s))
        << "no DELETE for session " << id;
  }
}

} // namespace

TEST (Chromium, WhipH264OpusDecodesInTheBrowser)
{
  whip_case ("h264", "video/H264");
}

TEST (Chromium, WhipVp8OpusDecodesInTheBrowser)
{
  whip_case ("vp8", "video/VP8");
}

TEST (Chromium, WhepH264FromTheBrowserPlays)
{
  whep_case ("h264,vp8", "video/H264");
}

TEST (Chromium, WhepVp8FirstGetsVp8FromTheBrowser)
{
  whep_case ("vp8,h264", "video/VP8");
}

/* autorestoresink publishing to the page: the endpoint (chromium and
 * peer.py) killed (-9) is noticed from the missing feedback within a
 * second, the session is restored once it is back, and the restored
 * message dates the outage from the last media the page acknowledged. */
TEST (Chromium, AutorestoreSinkThroughABrowserKillAndRestart)
{
  ensure_browser ();
  Pipeline p (
      "videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
      "framerate=30/1 ! autorestoresink name=ars keyframe-interval=1000 "
      "location="
      + browser->uri ("whip", "/whip")
      + " audiotestsrc is-live=true ! ars.audio");
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  std::optional<PageSession> s;
  ASSERT_TRUE (wait (
      [&] {
        s = browser->last ();
        return s && s->frames_decoded >= 30;
      },
      30s))
      << p.errors ();
  /* let the feedback cadence be learned */
  std::this_thread::sleep_for (2s);
  auto killed = steady_clock::now ();
  browser->kill_endpoint ();
  ASSERT_TRUE (p.wait_for (
      [&] {
        return p.has_message ("autorestoresink-republish")
               || p.has_message ("autorestoresink-retry");
      },
      10s))
      << p.errors ();
  auto detected_ms
      = duration_cast<milliseconds> (steady_clock::now () - killed).count ();
  RecordProperty ("detection_ms", (int)detected_ms);
  /* polled every 100 ms here, so this bounds the detection from above */
  EXPECT_LE (detected_ms, 1500)
      << "dead browser noticed after " << detected_ms << " ms";
  ASSERT_TRUE (browser->restart_endpoint ());
  ASSERT_TRUE (p.wait_for (
      [&] { return p.has_message ("autorestoresink-restored"); }, 30s))
      << p.errors ();
  /* the restarted endpoint numbers its sessions from 1 again: only the
   * restored one is there */
  ASSERT_TRUE (wait (
      [&] {
        s = browser->last ();
        return s && s->frames_decoded >= 30;
      },
      30s))
      << "the restored session does not decode in the page";
  GstStructure *m = p.message ("autorestoresink-restored");
  ASSERT_TRUE (m);
  gint64 outage = -1, detection = -1;
  gst_structure_get_int64 (m, "outage-ms", &outage);
  gst_structure_get_int64 (m, "detection-ms", &detection);
  gst_structure_free (m);
  /* the viewer's outage covers the detection and chromium's restart */
  EXPECT_GE (detection, 0);
  EXPECT_LE (detection, 1500);
  EXPECT_GT (outage, detection);
  auto since_kill
      = duration_cast<milliseconds> (steady_clock::now () - killed).count ();
  EXPECT_LE (outage, since_kill + 1000);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  int r = RUN_ALL_TESTS ();
  delete browser;
  return r;
}
