/* Interop with werift 0.22 (an independent TypeScript ICE/DTLS/SRTP stack)
 * as WHIP and WHEP server. The werift server forwards received RTP to a
 * GStreamer decoder here (WHIP), or sends RTP a GStreamer encoder gives it
 * (WHEP); frames must decode on the far side. scripts/npm-deps.sh installs
 * the pinned werift (tests/interop/werift/package-lock.json). */
#include "harness.h"
#include "fixtures/process.h"

#include <gtest/gtest.h>

#include <glib.h>

using namespace std::chrono_literals;
using whiptest::PadCounter;
using whiptest::Pipeline;

namespace {

std::string
werift_dir ()
{
  return fixtures::source_root () + "/tests/interop/werift";
}

bool
werift_installed (std::string &why)
{
  gchar *node = g_find_program_in_path ("node");
  if (!node) {
    why = "node is not installed";
    return false;
  }
  g_free (node);
  if (!g_file_test ((werift_dir () + "/node_modules/werift/package.json")
          .c_str (), G_FILE_TEST_EXISTS)) {
    why = "werift is not installed: run scripts/npm-deps.sh";
    return false;
  }
  return true;
}

struct WeriftServer
{
  WeriftServer (const std::string &mode, int rtp_port, fixtures::TempDir &dir)
  {
    port = fixtures::free_port ();
    proc = fixtures::ChildProcess ({ "node", werift_dir () + "/server.js",
          "--mode", mode, "--port", std::to_string (port), "--rtp-port",
          std::to_string (rtp_port) }, dir.file ("werift.log"));
    ready = fixtures::wait_for_tcp_port (port, 10s);
  }
  int port = 0;
  bool ready = false;
  fixtures::ChildProcess proc;
};

GstPadProbeReturn
count_buffers (GstPad *, GstPadProbeInfo *, gpointer data)
{
  (*static_cast<std::atomic<int> *> (data))++;
  return GST_PAD_PROBE_OK;
}

}  // namespace

TEST (Werift, WhipPublishDecodesOnTheFarSide)
{
  std::string why;
  /* scripts/test.sh installs werift (scripts/npm-deps.sh): its absence is a
   * broken set-up, not a reason to pass quietly */
  ASSERT_TRUE (werift_installed (why)) << why;
  fixtures::TempDir dir;
  int rtp_port = fixtures::free_port (true);
  /* the far side: werift forwards the published RTP here */
  Pipeline receiver ("udpsrc port=" + std::to_string (rtp_port)
      + " caps=\"application/x-rtp,media=video,encoding-name=VP8,"
      "clock-rate=90000,payload=96\" ! rtpjitterbuffer latency=100 ! "
      "rtpvp8depay ! vp8dec ! fakesink name=out sync=false");
  std::atomic<int> frames { 0 };
  GstElement *out = receiver.by_name ("out");
  GstPad *pad = gst_element_get_static_pad (out, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffers, &frames,
      nullptr);
  gst_object_unref (pad);
  gst_object_unref (out);
  ASSERT_NE (receiver.play (), GST_STATE_CHANGE_FAILURE);

  WeriftServer server ("whip", rtp_port, dir);
  ASSERT_TRUE (server.ready) << "werift did not start; see its log";
  Pipeline p ("videotestsrc is-live=true ! video/x-raw,width=320,height=240,"
      "framerate=30/1 ! reswhipsink name=sink video-codecs=vp8 "
      "uri=whip://127.0.0.1:" + std::to_string (server.port) + "/whip");
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return frames.load () >= 10; }, 30s))
      << "decoded " << frames.load () << "\n" << p.errors ();
  EXPECT_TRUE (p.has_message ("reswhipsink-connected"));
}

TEST (Werift, WhepPlaybackDecodesHere)
{
  std::string why;
  /* scripts/test.sh installs werift (scripts/npm-deps.sh): its absence is a
   * broken set-up, not a reason to pass quietly */
  ASSERT_TRUE (werift_installed (why)) << why;
  fixtures::TempDir dir;
  int rtp_port = fixtures::free_port (true);
  WeriftServer server ("whep", rtp_port, dir);
  ASSERT_TRUE (server.ready) << "werift did not start; see its log";
  /* what werift serves: VP8 RTP from a GStreamer encoder */
  Pipeline feeder ("videotestsrc is-live=true ! video/x-raw,width=320,"
      "height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=15 ! "
      "rtpvp8pay pt=96 picture-id-mode=15-bit ! udpsink host=127.0.0.1 port="
      + std::to_string (rtp_port));
  ASSERT_NE (feeder.play (), GST_STATE_CHANGE_FAILURE);
  Pipeline p ("reswhepsrc name=src audio=false uri=whep://127.0.0.1:"
      + std::to_string (server.port) + "/whep");
  GstElement *src = p.by_name ("src");
  PadCounter video (p.get (), src, "video_");
  gst_object_unref (src);
  ASSERT_NE (p.play (), GST_STATE_CHANGE_FAILURE);
  EXPECT_TRUE (p.wait_for ([&] { return video.count () >= 10; }, 30s))
      << "decoded " << video.count () << "\n" << p.errors ();
  EXPECT_NE (video.caps ().find ("video/x-raw"), std::string::npos);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  whiptest::register_elements ();
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
