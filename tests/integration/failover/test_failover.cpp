/* failoversrc against real servers on loopback (nginx-rtmp, HLS, SRT relay,
 * RTSP server, files), with faults injected by pid: kill -9, SIGSTOP, server
 * restart, flapping, bad URIs. Every candidate publishes its own look, so the
 * tests assert what a viewer would notice: which source is on the output,
 * how long the output lacked new content, whether caps or timestamps broke.
 *
 * Written against docs/elements/failoversrc.md: properties are set by name,
 * bus messages are read by structure name. Time bounds are generous; speed
 * is measured by bench/. */
#include "resilient/core/redact.h"
#include "failover_common.h"
#include "fixtures/rig.h"
#include "fixtures/servers.h"
#include "fixtures/watcher.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <thread>

using namespace failover_test;
using namespace fixtures;
using namespace std::chrono_literals;

namespace {

/* A missing element is a failure, not a skip: the build provides it. */
#define REQUIRE_ELEMENT(rig) \
  do { \
    if (!(rig).available ()) \
      FAIL () << (rig).error (); \
  } while (0)

bool
has_entry_for (SourceRig &rig, const std::string &name, int index)
{
  for (auto &e : rig.bus ().entries (name))
    if (e.get_int ("index") == index)
      return true;
  return false;
}

}  // namespace

/* Hot standby: the backup is already connected when the primary's publisher
 * is killed; the output moves to it quickly, audio too, timestamps stay
 * monotonic, nothing reaches the application as an error or EOS. */
TEST (FailoverIntegration, PrimaryPublisherKilledSwitchesToHotBackup)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris (), "hot");
  ASSERT_TRUE (start_on (rig, "red"));
  EXPECT_EQ (rig.enum_nick ("status"), "live");
  EXPECT_EQ (rig.get_int ("active-candidate"), 0);
  /* Hot: the backup stream is being played already. */
  EXPECT_GE (s.server.play_count ("b"), 1u) << "hot standby did not connect";

  Clock::time_point killed;
  std::optional<BusRecorder::Entry> sw;
  ASSERT_TRUE (kill_primary_to_backup (rig, s.a, killed, sw));
  EXPECT_EQ (sw->get_int ("to-index"), 1);
  /* the stream name is the RTMP key: redacted */
  EXPECT_EQ (sw->get_string ("to-uri"),
             resilient::Redact::uri (s.server.rtmp_url ("b")));
  std::set<std::string> hard = {"error", "eos", "pad-removed"};
  EXPECT_TRUE (hard.count (sw->get_string ("reason")))
      << "a killed publisher is a hard failure, got reason "
      << sw->get_string ("reason");
  EXPECT_EQ (rig.enum_nick ("status"), "backup");
  EXPECT_EQ (rig.get_int ("active-candidate"), 1);

  /* Audio follows, and both streams keep running time order. */
  auto after = Clock::now ();
  std::this_thread::sleep_for (700ms);
  EXPECT_GT (frames_after (rig.audio (), after), 5u) << "audio stopped";
  EXPECT_GT (frames_after (rig.video (), after), 10u) << "video stopped";
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  EXPECT_TRUE (rig.audio ().pts_monotonic ());
  EXPECT_TRUE (has_entry_for (rig, "failoversrc-candidate-failed", 0))
      << rig.describe ();
  expect_survived (rig);
}

/* Audio and video are switched together, at the same running time: the
 * backup's tone (880 Hz) starts where its picture (blue) starts. */
TEST (FailoverIntegration, AudioAndVideoSwitchTogether)
{
  Publisher::Options pa, pb;
  pa.freq = 440;
  pb.freq = 880;
  TwoPublishers s (pa, pb);
  auto &a = s.a;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris ());
  ASSERT_TRUE (start_on (rig, "red"));
  auto started = Clock::now ();
  ASSERT_TRUE (rig.audio ().wait_for_frames (20, 3000ms));
  ASSERT_TRUE (rig.audio ().first_tone_run (440, started - 5s))
      << "the primary's 440 Hz tone is not on the output";
  auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
      << rig.describe ();
  std::this_thread::sleep_for (500ms);
  auto video = rig.video ().first_frame_of_run ("blue", killed, 3);
  auto audio = rig.audio ().first_tone_run (880, killed, 3);
  ASSERT_TRUE (video);
  ASSERT_TRUE (audio) << "the backup's 880 Hz tone never came";
  ASSERT_TRUE (GST_CLOCK_TIME_IS_VALID (video->pts));
  ASSERT_TRUE (GST_CLOCK_TIME_IS_VALID (audio->pts));
  double skew = ((double) audio->pts - (double) video->pts) / GST_MSECOND;
  EXPECT_LT (std::abs (skew), 150.0)
      << "audio switched " << skew << " ms (running time) after video";
  expect_survived (rig);
}

/* Cold standby: the backup is not connected before it is needed, and is
 * started when the primary dies. */
TEST (FailoverIntegration, ColdStandbyStartsBackupOnFailure)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris (), "cold");
  ASSERT_TRUE (start_on (rig, "red"));
  std::this_thread::sleep_for (500ms);
  EXPECT_EQ (s.server.play_count ("b"), 0u)
      << "cold standby connected the backup before it was needed";
  auto killed = Clock::now ();
  s.a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
      << rig.describe ();
  EXPECT_GE (s.server.play_count ("b"), 1u);
  EXPECT_TRUE (wait_switch (rig, 1, killed)) << rig.describe ();
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  expect_survived (rig);
}

/* A stalled primary (SIGSTOP: no error, no EOS, just silence) is abandoned
 * after `timeout`, not before. */
TEST (FailoverIntegration, StalledPrimarySwitchesAfterTimeout)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris (), "hot");
  ASSERT_TRUE (start_on (rig, "red"));
  auto stalled = Clock::now ();
  s.a.stop ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, stalled))
      << rig.describe ();
  auto first_blue = rig.video ().first_run_of ("blue", stalled);
  ASSERT_TRUE (first_blue);
  double after = ms_between (stalled, *first_blue);
  EXPECT_GE (after, 800.0) << "switched before the 1000 ms timeout";
  EXPECT_LE (after, 1000.0 + 2500.0) << rig.describe ();
  auto sw = wait_switch (rig, 1, stalled);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_string ("reason"), "timeout");
  EXPECT_EQ (sw->get_int ("from-index"), 0);
  /* The output never paused longer than the detection itself. */
  EXPECT_LT (rig.video ().largest_gap_ms (stalled, Clock::now ()),
      1000.0 + 2500.0) << rig.describe ();
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  s.a.cont ();
  expect_survived (rig);
}

/* While the active candidate is silent but not yet failed, and a hot
 * backup is healthy, the output holds the last frame and then goes straight
 * to the backup: black filler is for "nothing is healthy". The switch
 * message is posted when the first backup buffer has left the element, so
 * the first backup frame reaches the appsink right after it.
 * KNOWN FAILURE against failover@18f24af: after hold-last-frame the output
 * shows 1.2-1.5 s of black filler before the timeout switch, although the
 * hot backup is healthy. Disabled until fixed; run with
 * --gtest_also_run_disabled_tests. */
TEST (FailoverIntegration, StallGoesStraightToAHealthyHotBackup)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris (), "hot");
  ASSERT_TRUE (rig.set ("timeout", "1500"));
  ASSERT_TRUE (rig.set ("hold-last-frame", "300"));
  ASSERT_TRUE (start_on (rig, "red"));
  std::this_thread::sleep_for (1500ms);
  auto stalled = Clock::now ();
  s.a.stop ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, stalled))
      << rig.describe ();
  auto blue = rig.video ().first_run_of ("blue", stalled);
  ASSERT_TRUE (blue);
  size_t black = 0;
  for (auto &f : rig.video ().frames ())
    black += f.wall >= stalled && f.wall < *blue && f.cls == "black";
  EXPECT_EQ (black, 0u) << "black filler while a hot backup was healthy"
                        << rig.describe ();
  auto sw = wait_switch (rig, 1, stalled);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_LT (std::abs (ms_between (sw->wall, *blue)), 300.0)
      << "the switch message and the first backup frame are "
      << ms_between (sw->wall, *blue) << " ms apart" << rig.describe ();
  s.a.cont ();
}

/* The primary's server is killed and restarted on the same port: the output
 * goes to the backup (on another server), then returns after the hold-off
 * once the primary publishes again. */
TEST (FailoverIntegration, PrimaryServerRestartFailsOverAndBack)
{
  NginxRtmp s1, s2;
  Publisher a (looks::red (), s1.rtmp_url ("a"));
  Publisher b (looks::blue (), s2.rtmp_url ("b"));
  ASSERT_TRUE (s1.wait_for_publish ("a", 10s));
  ASSERT_TRUE (s2.wait_for_publish ("b", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s1.rtmp_url ("a") + "|" + s2.rtmp_url ("b"));
  ASSERT_TRUE (start_on (rig, "red"));

  auto killed = Clock::now ();
  s1.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
      << rig.describe ();
  /* The publisher lost its server too (it exits on the reset); bring both
   * back. */
  std::this_thread::sleep_for (500ms);
  size_t n = s1.publish_count ("a");
  s1.restart ();
  a.restart ();
  ASSERT_TRUE (s1.wait_for_publish ("a", 10s, n));
  auto back = Clock::now ();
  ASSERT_TRUE (rig.video ().wait_for_class ("red", 15000ms, 5, back))
      << rig.describe ();
  auto sw = wait_switch (rig, 0, back);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_string ("reason"), "failback");
  EXPECT_EQ (rig.enum_nick ("status"), "live");
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  EXPECT_GE (rig.bus ().count ("failoversrc-retry"), 1u)
      << "the dead primary should have been retried";
  expect_survived (rig);
}

/* Failback waits for the primary to be healthy for failback-holdoff. */
TEST (FailoverIntegration, FailbackWaitsForTheHoldoff)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris ());
  ASSERT_TRUE (rig.set ("failback-holdoff", "3000"));
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  s.a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed));
  size_t n = s.server.publish_count ("a");
  s.a.restart ();
  ASSERT_TRUE (s.server.wait_for_publish ("a", 10s, n));
  auto published = Clock::now ();
  ASSERT_TRUE (rig.video ().wait_for_class ("red", 15000ms, 5, published))
      << rig.describe ();
  auto red = rig.video ().first_run_of ("red", published);
  ASSERT_TRUE (red);
  /* The primary cannot have been healthy before it published again. */
  EXPECT_GE (ms_between (published, *red), 3000.0 - 300.0)
      << "failed back before the hold-off" << rig.describe ();
  auto sw = wait_switch (rig, 0, published);
  ASSERT_TRUE (sw);
  EXPECT_EQ (sw->get_string ("reason"), "failback");
  expect_survived (rig);
}

/* auto-failback=false: the output stays on the backup. */
TEST (FailoverIntegration, NoAutoFailbackStaysOnBackup)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris ());
  ASSERT_TRUE (rig.set ("auto-failback", "false"));
  ASSERT_TRUE (rig.set ("failback-holdoff", "500"));
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  s.a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed));
  size_t n = s.server.publish_count ("a");
  s.a.restart ();
  ASSERT_TRUE (s.server.wait_for_publish ("a", 10s, n));
  auto published = Clock::now ();
  std::this_thread::sleep_for (4000ms);
  EXPECT_FALSE (rig.video ().first_run_of ("red", published, 1))
      << "returned to the primary with auto-failback off" << rig.describe ();
  EXPECT_EQ (rig.enum_nick ("status"), "backup");
  expect_survived (rig);
}

/* Every candidate dies: the output keeps flowing (held frame, then black
 * filler), status says filler, and a candidate that comes back is used. */
TEST (FailoverIntegration, AllCandidatesDeadGiveFillerThenRecover)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris ());
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  s.a.kill9 ();
  s.b.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("black", kSwitch, 5, killed))
      << rig.describe ();
  EXPECT_EQ (rig.enum_nick ("status"), "filler");
  EXPECT_EQ (rig.get_int ("active-candidate"), -1);
  EXPECT_TRUE (wait_switch (rig, -1, killed)) << rig.describe ();
  /* The filler is a stream, not a pause. */
  auto filler = Clock::now ();
  std::this_thread::sleep_for (1000ms);
  EXPECT_GT (frames_after (rig.video (), filler), 15u);
  EXPECT_GT (frames_after (rig.audio (), filler), 10u);
  EXPECT_LT (rig.video ().largest_gap_ms (filler, Clock::now ()), 300.0);

  size_t n = s.server.publish_count ("b");
  s.b.restart ();
  ASSERT_TRUE (s.server.wait_for_publish ("b", 10s, n));
  auto back = Clock::now ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", 15000ms, 5, back))
      << rig.describe ();
  EXPECT_EQ (rig.enum_nick ("status"), "backup");
  auto sw = wait_switch (rig, 1, back);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_int ("from-index"), -1);
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  expect_survived (rig);
}

/* A primary that comes and goes every ~1.5 s never stays healthy for the
 * hold-off, so the output stays on the backup instead of flapping. */
TEST (FailoverIntegration, FlappingPrimaryDoesNotMakeTheOutputFlap)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris ());
  ASSERT_TRUE (rig.set ("failback-holdoff", "3000"));
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  s.a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed));
  auto flapping = Clock::now ();
  for (int i = 0; i < 4; i++) {
    s.a.restart ();
    std::this_thread::sleep_for (1300ms);
    s.a.kill9 ();
    std::this_thread::sleep_for (200ms);
  }
  auto calm = Clock::now ();
  EXPECT_FALSE (rig.video ().first_run_of ("red", flapping, 1))
      << "the output went back to a flapping primary" << rig.describe ();
  size_t switches = 0;
  for (auto &e : rig.bus ().entries ("failoversrc-switch"))
    switches += e.wall >= flapping && e.wall <= calm;
  EXPECT_EQ (switches, 0u) << rig.describe ();
  EXPECT_LT (rig.video ().largest_fresh_gap_ms (flapping, calm), 500.0)
      << "the backup's content stalled while the primary flapped";
  expect_survived (rig);
}

/* A 404 HLS URL and a malformed URI ahead of a good candidate: both are
 * reported and skipped; the application gets no ERROR. */
TEST (FailoverIntegration, NotFoundAndMalformedUrisAreSkipped)
{
  NginxRtmp::Options o;
  o.hls = true;
  NginxRtmp server (o);
  Publisher b (looks::blue (), server.rtmp_url ("b"));
  ASSERT_TRUE (server.wait_for_publish ("b", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, server.hls_url ("missing") + " | not-a-uri | "
      + server.rtmp_url ("b"));
  ASSERT_TRUE (rig.set ("retry-max-attempts", "2"));
  ASSERT_TRUE (start_on (rig, "blue"));
  auto failed = [&] (int index) {
    return has_entry_for (rig, "failoversrc-candidate-failed", index)
        || has_entry_for (rig, "failoversrc-give-up", index);
  };
  auto end = Clock::now () + 5s;
  while (Clock::now () < end && !(failed (0) && failed (1)))
    std::this_thread::sleep_for (100ms);
  EXPECT_TRUE (failed (0)) << "404 not reported" << rig.describe ();
  EXPECT_TRUE (failed (1)) << "malformed URI not reported" << rig.describe ();
  /* A malformed URI can never work: it is given up at once, fatally. */
  auto give_up = rig.bus ().wait_for ("failoversrc-give-up", 3000ms,
      [] (const BusRecorder::Entry &e) { return e.get_int ("index") == 1; });
  ASSERT_TRUE (give_up) << rig.describe ();
  EXPECT_TRUE (give_up->get_bool ("fatal"));
  EXPECT_EQ (rig.get_int ("active-candidate"), 2);
  expect_survived (rig);
}

/* The contract: `live` means the first candidate is on the output, `backup`
 * that another one is. A given-up first candidate does not make the third
 * one "live": the operator must see that the output is not the primary.
 * (Failed against failover@3ef725b, which compared with the first usable
 * candidate; passes at d5c235a.) */
TEST (FailoverIntegration, StatusIsBackupWhenTheFirstCandidateIsGivenUp)
{
  NginxRtmp server;
  Publisher b (looks::blue (), server.rtmp_url ("b"));
  ASSERT_TRUE (server.wait_for_publish ("b", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, "not-a-uri | " + server.rtmp_url ("b"));
  ASSERT_TRUE (start_on (rig, "blue"));
  ASSERT_TRUE (rig.bus ().wait_for ("failoversrc-give-up", 3000ms));
  EXPECT_EQ (rig.get_int ("active-candidate"), 1);
  EXPECT_EQ (rig.enum_nick ("status"), "backup") << rig.describe ();
}

/* Candidates of different sizes, frame rates and sample rates: under fixed
 * video-caps / audio-caps downstream sees one set of caps, before and after
 * the switch. */
TEST (FailoverIntegration, FixedOutputCapsAcrossDifferentFormats)
{
  NginxRtmp server;
  Publisher::Options big;
  big.width = 640;
  big.height = 360;
  big.audio_rate = 44100;
  big.freq = 300;
  Publisher::Options small;
  small.width = 320;
  small.height = 240;
  small.fps = 25;
  small.audio_rate = 48000;
  small.freq = 800;
  Publisher a (looks::red (), server.rtmp_url ("a"), big);
  Publisher b (looks::blue (), server.rtmp_url ("b"), small);
  ASSERT_TRUE (server.wait_for_publish ("a", 10s));
  ASSERT_TRUE (server.wait_for_publish ("b", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, server.rtmp_url ("a") + "|" + server.rtmp_url ("b"));
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
      << rig.describe ();
  auto after = Clock::now ();
  std::this_thread::sleep_for (700ms);
  EXPECT_GT (frames_after (rig.audio (), after), 5u);

  auto vcaps = rig.video_caps ();
  auto acaps = rig.audio_caps ();
  ASSERT_FALSE (vcaps.empty ());
  ASSERT_FALSE (acaps.empty ());
  std::set<std::string> vset (vcaps.begin (), vcaps.end ());
  std::set<std::string> aset (acaps.begin (), acaps.end ());
  EXPECT_EQ (vset.size (), 1u) << "video renegotiated: " << vcaps.back ();
  EXPECT_EQ (aset.size (), 1u) << "audio renegotiated: " << acaps.back ();
  GstCaps *want_v = gst_caps_from_string (kVideoCaps);
  GstCaps *got_v = gst_caps_from_string (vcaps.front ().c_str ());
  EXPECT_TRUE (gst_caps_is_subset (got_v, want_v)) << vcaps.front ();
  GstCaps *want_a = gst_caps_from_string (kAudioCaps);
  GstCaps *got_a = gst_caps_from_string (acaps.front ().c_str ());
  EXPECT_TRUE (gst_caps_is_subset (got_a, want_a)) << acaps.front ();
  for (auto *c : {want_v, got_v, want_a, got_a})
    gst_caps_unref (c);
  /* 25 fps in, 30 fps out: the output rate holds. */
  auto t = Clock::now ();
  std::this_thread::sleep_for (1000ms);
  size_t n = frames_after (rig.video (), t);
  EXPECT_GE (n, 24u);
  EXPECT_LE (n, 36u);
  expect_survived (rig);
}

/* A file candidate ends (EOS): the next candidate takes over, and no EOS
 * reaches downstream. */
TEST (FailoverIntegration, FileCandidateEosMovesToTheNext)
{
  TempDir d;
  make_media_file (d.file ("slate.mkv"), looks::cyan (), 2.5);
  NginxRtmp server;
  Publisher b (looks::blue (), server.rtmp_url ("b"));
  ASSERT_TRUE (server.wait_for_publish ("b", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, "file://" + d.file ("slate.mkv") + " | "
      + server.rtmp_url ("b"));
  /* Longer than the content a file run queues ahead of its paced output
   * (see FileCandidatePlaysToItsEndUnderAShortTimeout). */
  ASSERT_TRUE (rig.set ("timeout", "3000"));
  auto started = Clock::now ();
  ASSERT_TRUE (start_on (rig, "cyan"));
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", 10000ms, 5, started))
      << rig.describe ();
  auto sw = wait_switch (rig, 1, started);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_string ("reason"), "eos") << rig.describe ();
  EXPECT_EQ (sw->get_int ("from-index"), 0);
  /* About 2.5 s of the file was shown, paced like live. */
  auto segs = rig.video ().segments (3);
  size_t cyan = 0;
  for (auto &seg : segs)
    if (seg.cls == "cyan")
      cyan += seg.frames;
  EXPECT_GE (cyan, 45u) << rig.describe ();
  EXPECT_TRUE (rig.video ().pts_monotonic ());
  expect_survived (rig);
}

/* An RTSP candidate takes over from a dead RTMP primary. */
TEST (FailoverIntegration, RtspCandidateTakesOver)
{
  NginxRtmp server;
  Publisher a (looks::red (), server.rtmp_url ("a"));
  RtspServer rtsp (looks::magenta ());
  ASSERT_TRUE (server.wait_for_publish ("a", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, server.rtmp_url ("a") + " | " + rtsp.url ());
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("magenta", kSwitch, 5, killed))
      << rig.describe ();
  EXPECT_TRUE (wait_switch (rig, 1, killed)) << rig.describe ();
  auto after = Clock::now ();
  std::this_thread::sleep_for (500ms);
  EXPECT_GT (frames_after (rig.audio (), after), 5u) << "RTSP audio missing";
  expect_survived (rig);
}

/* An SRT candidate (through an srt-live-transmit relay) takes over. */
TEST (FailoverIntegration, SrtCandidateTakesOver)
{
  NginxRtmp server;
  SrtRelay relay;
  Publisher a (looks::red (), server.rtmp_url ("a"));
  Publisher c (looks::yellow (), relay.publish_url ());
  ASSERT_TRUE (server.wait_for_publish ("a", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, server.rtmp_url ("a") + " | " + relay.play_url ());
  ASSERT_TRUE (start_on (rig, "red"));
  auto killed = Clock::now ();
  a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("yellow", kSwitch, 5, killed))
      << rig.describe ();
  EXPECT_TRUE (wait_switch (rig, 1, killed)) << rig.describe ();
  expect_survived (rig);
}

/* A file is decoded faster than real time and paced at the output, so its
 * input stops well before its content has been shown. That must not count as
 * silence: with a timeout shorter than the queued content the file still
 * plays to its end and the switch reason is `eos`. */
/* Found against failover@3ef725b (fixed in 18f24af): the health timeout
 * watched the input side, which a file finishes long before its paced
 * output; with timeout=400 a 2.5 s file was cut after ~1.8 s with reason
 * `timeout`. */
TEST (FailoverIntegration, FileCandidatePlaysToItsEndUnderAShortTimeout)
{
  TempDir d;
  make_media_file (d.file ("slate.mkv"), looks::cyan (), 2.5);
  NginxRtmp server;
  Publisher b (looks::blue (), server.rtmp_url ("b"));
  ASSERT_TRUE (server.wait_for_publish ("b", 10s));
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, "file://" + d.file ("slate.mkv") + " | "
      + server.rtmp_url ("b"));
  ASSERT_TRUE (rig.set ("timeout", "400"));
  auto started = Clock::now ();
  ASSERT_TRUE (start_on (rig, "cyan"));
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", 10000ms, 5, started))
      << rig.describe ();
  /* Shown from its first frame on the output to its end, paced: at least
   * 1.5 s of it (part of the start may play while the output still shows
   * the startup filler), and the backup follows right after the last new
   * file frame. */
  size_t cyan = 0;
  for (auto &seg : rig.video ().segments (3))
    if (seg.cls == "cyan")
      cyan += seg.frames;
  EXPECT_GE (cyan, 45u) << "the file was cut short" << rig.describe ();
  auto gap = rig.video ().switch_gap_ms ("cyan", "blue", started);
  ASSERT_TRUE (gap);
  EXPECT_LT (*gap, 400.0) << rig.describe ();
  auto sw = wait_switch (rig, 1, started);
  ASSERT_TRUE (sw) << rig.describe ();
  EXPECT_EQ (sw->get_string ("reason"), "eos") << rig.describe ();
  expect_survived (rig);
}

/* RTMP publishers with video only (a camera, `ffmpeg -an`): flvdemux waits
 * 6 s of stream time for a second stream before it lets decodebin expose
 * the first, so the primary came on air 7.1 s after PLAYING and a hot
 * backup was not ready for as long. failoversrc reads the onMetaData
 * nginx-rtmp sends (video codec 7, audio codec 0) and tells the demuxer
 * at the video's first unit (lib/resilient/failover/lone_stream.h): now
 * 1.2-1.3 s, publishers with audio 1.1 s. Past flvdemux's own 6 s the
 * output goes on (its late no-more-pads changes nothing), and the audio
 * pad carries silence throughout. */
TEST (FailoverIntegration, VideoOnlyPublishersStartWithinSeconds)
{
  Publisher::Options mute;
  mute.audio = false;
  TwoPublishers s (mute, mute);
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris ());
  const auto started = Clock::now ();
  ASSERT_TRUE (start_on (rig, "red"));
  EXPECT_LT (ms_between (started, Clock::now ()), 4000.0)
      << "the first red frame came after flvdemux's 6 s" << rig.describe ();
  /* The hot backup is ready as soon: the switch is quick. */
  std::this_thread::sleep_for (300ms);
  Clock::time_point killed;
  std::optional<BusRecorder::Entry> sw;
  ASSERT_TRUE (kill_primary_to_backup (rig, s.a, killed, sw));
  auto gap = rig.video ().switch_gap_ms ("red", "blue", killed - 2s);
  ASSERT_TRUE (gap) << rig.describe ();
  EXPECT_LT (*gap, 2500.0) << rig.describe ();
  /* Past 7 s of the backup's stream. */
  std::this_thread::sleep_for (
      std::chrono::milliseconds (8000) - (Clock::now () - started));
  const auto late = Clock::now ();
  std::this_thread::sleep_for (700ms);
  EXPECT_GT (frames_after (rig.video (), late), 10u) << rig.describe ();
  EXPECT_GT (frames_after (rig.audio (), late), 5u) << "no filler audio";
  EXPECT_EQ (rig.video ().current (), "blue");
  EXPECT_FALSE (has_entry_for (rig, "failoversrc-candidate-failed", 1))
      << rig.describe ();
  expect_survived (rig);
}

/* The output follows the live input closely: when the primary's publisher
 * is killed, a plain player sees its last frame and EOS within a few
 * milliseconds; failoversrc may add its `latency` (200 ms by default here)
 * and some scheduling slack, not a backlog. Measured as the time from the
 * kill to the last new primary frame on the output. */
/* KNOWN FAILURE against failover@3ef725b: primary content keeps coming out
 * 630-900 ms after its publisher died (a plain uridecodebin player: < 5 ms):
 * a backlog in the candidate branch ahead of the paced appsink (samples
 * arrive exactly one frame before their output time, the signature of a
 * full queue). Disabled until fixed; run with
 * --gtest_also_run_disabled_tests. */
TEST (FailoverIntegration, OutputFollowsTheLiveInputWithinTheLatency)
{
  TwoPublishers s;
  SourceRig rig;
  REQUIRE_ELEMENT (rig);
  configure (rig, s.uris (), "hot");
  ASSERT_TRUE (rig.set ("latency", "200"));
  ASSERT_TRUE (start_on (rig, "red"));
  std::this_thread::sleep_for (2000ms);
  auto killed = Clock::now ();
  s.a.kill9 ();
  ASSERT_TRUE (rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
      << rig.describe ();
  double last_red = -1;
  for (auto &f : rig.video ().frames ())
    if (f.cls == "red" && f.fresh && f.wall >= killed)
      last_red = ms_between (killed, f.wall);
  EXPECT_LT (last_red, 200.0 + 300.0)
      << "primary content still came out " << last_red << " ms after its "
      "publisher died: the output lags the live input" << rig.describe ();
  auto failed = rig.bus ().wait_for ("failoversrc-candidate-failed", 1000ms,
      [] (const BusRecorder::Entry &e) { return e.get_int ("index") == 0; });
  ASSERT_TRUE (failed);
  EXPECT_LT (ms_between (killed, failed->wall), 200.0 + 300.0)
      << "the death of the primary was noticed late";
}
