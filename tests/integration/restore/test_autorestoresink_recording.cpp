/* A failing recording never takes the live publish down.
 *
 * gst-launch-1.0 publishes to nginx-rtmp with a recording whose location is
 * a small tmpfs in a mount namespace of the publisher's own (unshare -m):
 * the test makes it read-only or full, checks that publishing goes on (a
 * viewer keeps decoding, no republish), that there is a WARNING naming the
 * path and an autorestoresink-recording-failed message but no ERROR, then
 * makes room again (nsenter into that namespace) and checks that the
 * recording resumes into a new, decodable clip. */
#include "fixtures/process.h"
#include "fixtures/servers.h"
#include "viewer.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>

using namespace std::chrono;
using fixtures::NginxRtmp;
using restoretest::Viewer;

namespace {

/* The publisher is video-only: a viewer without an audio branch. */
std::string
rtmp_viewer (const std::string & url)
{
  return "rtmp2src location=" + url + " ! flvdemux name=d "
      "d.video ! queue ! h264parse ! avdec_h264 ! fakesink name=vsink "
      "sync=false";
}

std::string
read_file (const std::string & path)
{
  std::ifstream f (path);
  std::stringstream s;
  s << f.rdbuf ();
  return s.str ();
}

bool
wait_log (const std::string & path, const std::string & what,
    milliseconds timeout)
{
  auto end = steady_clock::now () + timeout;
  while (steady_clock::now () < end) {
    if (read_file (path).find (what) != std::string::npos)
      return true;
    std::this_thread::sleep_for (milliseconds (50));
  }
  return false;
}

int
run (const std::vector<std::string> & argv)
{
  fixtures::ChildProcess p (argv);
  return p.wait_exit (milliseconds (5000));
}

/* Lines of the log that carry `what`. */
std::string
lines_with (const std::string & log, const std::string & what)
{
  std::stringstream in (log);
  std::string line, out;
  while (std::getline (in, line))
    if (line.find (what) != std::string::npos)
      out += line.substr (0, 300) + "\n";
  return out;
}

struct Case
{
  /* Mount options of the tmpfs and the command that makes it fail ("ro")
   * or how big it is; then the remount that gives room again. */
  std::string mount_opts;
  std::string break_remount;    /* empty: the mount itself is the fault */
  std::string mend_remount;
};

void
recording_fault_keeps_publishing (const Case & c)
{
  NginxRtmp server;
  fixtures::TempDir dir;
  const std::string rec = dir.file ("rec");
  ASSERT_EQ (mkdir (rec.c_str (), 0755), 0);
  const std::string url = server.url ("live", "rec");
  std::string script = "mount -t tmpfs -o " + c.mount_opts + " tmpfs " + rec
      + " || exit 97; ";
  if (!c.break_remount.empty ())
    script += "mount -o remount," + c.break_remount + " " + rec
        + " || exit 97; ";
  script += "exec gst-launch-1.0 -m videotestsrc is-live=true pattern=snow ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! ars.video "
      "autorestoresink name=ars keyframe-interval=500 video-bitrate=4000 "
      "recording-max-duration=1000 recording-location=" + rec
      + "/clip-%03d.mkv location=" + url;
  const std::string log = dir.file ("pub.log");
  fixtures::ChildProcess pub ({"unshare", "-m", "--propagation", "private",
        "sh", "-c", script}, log);
  std::this_thread::sleep_for (milliseconds (300));
  if (!pub.running ()) {
    /* Only the kernel refusing the namespace or the mount skips. */
    const int st = pub.wait_exit (milliseconds (100));
    if ((WIFEXITED (st) && WEXITSTATUS (st) == 97)
        || read_file (log).find ("unshare:") == 0)
      GTEST_SKIP () << "no mount namespace with a tmpfs here: "
          << read_file (log);
    FAIL () << "the publisher exited (" << st << "): " << read_file (log);
  }
  ASSERT_TRUE (server.wait_for_publish ("rec", milliseconds (8000)))
      << read_file (log);
  ASSERT_TRUE (wait_log (log, "autorestoresink-recording-failed",
          milliseconds (10000))) << "no recording-failed message:\n"
      << read_file (log);
  /* The WARNING names the path. */
  const std::string warnings = lines_with (read_file (log), "WARNING");
  EXPECT_NE (warnings.find (rec), std::string::npos) << warnings;
  {
    /* Publishing goes on after the failure. */
    Viewer v (rtmp_viewer (url));
    EXPECT_TRUE (v.wait_frames (15, milliseconds (6000)))
        << "the stream stopped with the recording";
  }
  EXPECT_TRUE (pub.running ()) << read_file (log);
  /* Room again: the recording resumes into a new clip. */
  ASSERT_EQ (run ({"nsenter", "-t", std::to_string (pub.pid ()), "-m",
              "mount", "-o", "remount," + c.mend_remount, rec}), 0);
  ASSERT_TRUE (wait_log (log, "autorestoresink-recording-resumed",
          milliseconds (8000))) << read_file (log);
  ASSERT_TRUE (wait_log (log, "autorestoresink-clip-closed",
          milliseconds (8000))) << "no clip after the recording resumed:\n"
      << read_file (log);
  const std::string all = read_file (log);
  EXPECT_EQ (lines_with (all, "ERROR"), "") << all.substr (0, 4000);
  EXPECT_EQ (server.publish_count ("rec"), 1u)
      << "the publish was restarted because of the recording";
  {
    Viewer v (rtmp_viewer (url));
    EXPECT_TRUE (v.wait_frames (15, milliseconds (6000)));
  }
  /* The resumed clip decodes: it is in the publisher's namespace, seen
   * through its root. */
  const std::string closed = lines_with (all, "autorestoresink-clip-closed");
  const auto at = closed.find ("location=(string)");
  ASSERT_NE (at, std::string::npos) << closed;
  std::string path = closed.substr (at + 17);
  path = path.substr (0, path.find_first_of (",;\n"));
  if (!path.empty () && path[0] == '"')
    path = path.substr (1, path.size () - 2);
  const std::string seen = "/proc/" + std::to_string (pub.pid ()) + "/root"
      + path;
  GstElement *dec = restoretest::launch ("filesrc location=\"" + seen
      + "\" ! matroskademux ! h264parse ! avdec_h264 ! fakesink name=vsink");
  GstBus *bus = gst_element_get_bus (dec);
  gst_element_set_state (dec, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      (GstMessageType) (GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  ASSERT_NE (m, nullptr);
  EXPECT_EQ (GST_MESSAGE_TYPE (m), GST_MESSAGE_EOS) << seen
      << " does not decode";
  gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (dec, GST_STATE_NULL);
  gst_object_unref (dec);
  pub.terminate ();
}

}  // namespace

TEST (AutoRestoreSinkRecording, UnwritableLocationKeepsPublishingAndResumes)
{
  recording_fault_keeps_publishing ({"size=64m", "ro", "rw"});
}

TEST (AutoRestoreSinkRecording, FullDiskKeepsPublishingAndResumes)
{
  /* Snow at 4 Mbit/s fills 300 KiB within the first clip. */
  recording_fault_keeps_publishing ({"size=300k", "", "size=64m"});
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
