/* Seed 002's secure front end to end, with peers we did not write: two
 * RTMP origins (nginx-rtmp fed by gst-launch publishers) relayed by
 * failoversrc in encoded mode into reswhepserversink over https (the video
 * is neither decoded nor encoded on the way), played by headless chromium
 * from an http page, trusting only the test certificate's key. The origin
 * on air is killed -9 and chromium keeps decoding, now the backup's frames.
 *
 * Written against docs/elements/failoversrc.md ("Encoded mode") and
 * docs/elements/reswhepserversink.md ("Raw or encoded input"). */
#include "fixtures/buspump.h"
#include "fixtures/elements.h"
#include "fixtures/chromiumpeer.h"
#include "fixtures/servers.h"
#include "fixtures/testcert.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

using namespace fixtures;
using namespace std::chrono_literals;

namespace {

long
decoded (ChromiumPeer &peer, int id)
{
  auto all = peer.sessions ();
  auto it = all.find (id);
  return it == all.end () ? 0 : it->second.frames_decoded;
}

bool
wait_decoded (ChromiumPeer &peer, int id, long at_least,
              std::chrono::seconds timeout)
{
  auto end = std::chrono::steady_clock::now () + timeout;
  while (std::chrono::steady_clock::now () < end) {
    if (decoded (peer, id) >= at_least)
      return true;
    std::this_thread::sleep_for (200ms);
  }
  return false;
}

} // namespace

TEST (SecureFront, ChromiumOverHttpsKeepsPlayingWhenTheOriginDies)
{
  if (!ChromiumPeer::installed ())
    GTEST_SKIP () << "chromium is not installed (scripts/debian-packages.txt)";
  NginxRtmp nginx;
  Publisher a (looks::red (), nginx.rtmp_url ("a"));
  Publisher b (looks::blue (), nginx.rtmp_url ("b"));
  ASSERT_TRUE (nginx.wait_for_publish ("a", 10s));
  ASSERT_TRUE (nginx.wait_for_publish ("b", 10s));

  std::string desc = "failoversrc name=f mode=encoded standby=hot uris=\""
                     + nginx.rtmp_url ("a") + " | " + nginx.rtmp_url ("b")
                     + "\" f.video ! queue ! reswhepserversink name=s port=0 "
                     + test_certificate_props ()
                     + " f.audio ! queue ! decodebin ! audioconvert ! "
                       "audioresample ! s.";
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc.c_str (), &err);
  ASSERT_TRUE (p) << (err ? err->message : "");
  BusPump bus (p);
  ASSERT_NE (gst_element_set_state (p, GST_STATE_PLAYING),
             GST_STATE_CHANGE_FAILURE);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "s");
  GstElement *f = gst_bin_get_by_name (GST_BIN (p), "f");
  int port = 0;
  g_object_get (sink, "bound-port", &port, NULL);
  ASSERT_GT (port, 0);

  ChromiumPeer peer;
  ASSERT_TRUE (peer.peer_ready ());
  ASSERT_TRUE (peer.start_chromium (90s, test_certificate_spki ()));
  int id = peer.play ("https://127.0.0.1:" + std::to_string (port) + "/whep");
  ASSERT_GT (id, 0);
  ASSERT_TRUE (wait_decoded (peer, id, 30, 60s))
      << "chromium decoded " << decoded (peer, id) << " frames, state "
      << peer.sessions ()[id].state;
  EXPECT_EQ (peer.sessions ()[id].in_video_codec, "video/H264");

  /* the origin on air dies; the backup's frames keep chromium decoding */
  a.kill9 ();
  std::this_thread::sleep_for (1s);
  long at_switch = decoded (peer, id);
  EXPECT_TRUE (wait_decoded (peer, id, at_switch + 60, 10s))
      << "chromium decoded " << decoded (peer, id) - at_switch
      << " frames after the switch";
  gint st = 0;
  g_object_get (f, "status", &st, NULL);
  GParamSpec *ps
      = g_object_class_find_property (G_OBJECT_GET_CLASS (f), "status");
  GEnumValue *ev = g_enum_get_value (
      G_ENUM_CLASS (g_type_class_peek (G_PARAM_SPEC_VALUE_TYPE (ps))), st);
  EXPECT_STREQ (ev ? ev->value_nick : "?", "backup");

  /* relayed, not transcoded: no video decoder or encoder anywhere */
  for (const char *e : { "avdec_h264", "openh264dec", "x264enc", "vp8enc" })
    EXPECT_EQ (fixtures::count_elements (p, e), 0) << e;
  bus.pump (100ms);
  EXPECT_EQ (bus.count (is_error), 0);

  peer.stop_play (id);
  gst_object_unref (f);
  gst_object_unref (sink);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  ::testing::InitGoogleTest (&argc, argv);
  return RUN_ALL_TESTS ();
}
