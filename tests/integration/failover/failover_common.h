/* What the failoversrc integration tests (test_failover.cpp,
 * test_failover_whep.cpp) share: GStreamer set up once per binary, the
 * output caps, the time bounds and the short test timings, playing until a
 * look is on the output, waiting for a switch, and the "survived" checks.
 * Included by one translation unit per test binary. */
#pragma once

#include "fixtures/rig.h"
#include "fixtures/servers.h"
#include "fixtures/watcher.h"

#include <gst/gst.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace failover_test {

using namespace fixtures;
using namespace std::chrono_literals;

class Env : public ::testing::Environment
{
public:
  void SetUp () override { gst_init (nullptr, nullptr); }
};
static auto *const env = ::testing::AddGlobalTestEnvironment (new Env);

constexpr const char *kVideoCaps =
    "video/x-raw,format=I420,width=320,height=240,framerate=30/1";
constexpr const char *kAudioCaps =
    "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";

/* Time for the first frame of the first candidate: publisher connect (or
 * WHEP HTTP, ICE, DTLS), player connect, first keyframe (1 s GOP), decoder. */
constexpr auto kFirstFrame = 20000ms;
/* A switch a viewer would call "it failed over". */
constexpr auto kSwitch = 6000ms;

/* Short timings for tests: a second of silence is a failure, retries are
 * quick, failback waits 1.5 s of health. */
inline void
configure (SourceRig &rig, const std::string &uris,
    const std::string &standby = "hot")
{
  ASSERT_TRUE (rig.set ("uris", uris));
  ASSERT_TRUE (rig.set ("standby", standby));
  ASSERT_TRUE (rig.set ("video-caps", kVideoCaps));
  ASSERT_TRUE (rig.set ("audio-caps", kAudioCaps));
  ASSERT_TRUE (rig.set ("timeout", "1000"));
  ASSERT_TRUE (rig.set ("retry-delay", "200"));
  ASSERT_TRUE (rig.set ("retry-max-delay", "1000"));
  ASSERT_TRUE (rig.set ("failback-holdoff", "1500"));
  ASSERT_TRUE (rig.set ("hold-last-frame", "300"));
}

/* Plays and waits until `look` is on the output. */
inline ::testing::AssertionResult
start_on (SourceRig &rig, const std::string &look)
{
  if (!rig.play ())
    return ::testing::AssertionFailure () << "PLAYING failed" << rig.describe ();
  if (!rig.video ().wait_for_class (look, kFirstFrame, 5))
    return ::testing::AssertionFailure () << look << " never on the output"
                                          << rig.describe ();
  return ::testing::AssertionSuccess ();
}

/* The first failoversrc-switch to `to` posted at or after `since`. */
inline std::optional<BusRecorder::Entry>
wait_switch (SourceRig &rig, int to, Clock::time_point since,
    ms timeout = 3000ms)
{
  return rig.bus ().wait_for ("failoversrc-switch", timeout,
      [&] (const BusRecorder::Entry &e) {
        return e.wall >= since && e.get_int ("to-index") == to;
      });
}

/* kill -9 of the red primary's publisher `a` (a Publisher): the blue
 * backup (index 1) is on the output within kSwitch, the content gap is
 * under 2 s, and the switch 0 -> 1 is reported (its message in `sw`). */
template <typename P>
::testing::AssertionResult
kill_primary_to_backup (SourceRig &rig, P &a, Clock::time_point &killed,
    std::optional<BusRecorder::Entry> &sw)
{
  killed = Clock::now ();
  a.kill9 ();
  if (!rig.video ().wait_for_class ("blue", kSwitch, 5, killed))
    return ::testing::AssertionFailure () << "blue never on the output"
                                          << rig.describe ();
  auto gap = rig.video ().switch_gap_ms ("red", "blue", killed - 2s);
  if (!gap || *gap >= 2000.0)
    return ::testing::AssertionFailure () << "content gap "
        << (gap ? *gap : -1.0) << " ms" << rig.describe ();
  sw = wait_switch (rig, 1, killed);
  if (!sw || sw->get_int ("from-index") != 0)
    return ::testing::AssertionFailure () << "no switch 0 -> 1 reported"
                                          << rig.describe ();
  return ::testing::AssertionSuccess ();
}

/* Nothing on the bus is an ERROR, and no EOS left the element. */
inline void
expect_survived (SourceRig &rig)
{
  EXPECT_EQ (rig.bus ().count ("error"), 0u) << rig.describe ();
  EXPECT_EQ (rig.bus ().count ("eos"), 0u);
  EXPECT_EQ (rig.eos_events (), 0) << "EOS left failoversrc";
}

/* Output frames (of a watcher) at or after `t`. */
inline size_t
frames_after (const OutputWatcher &w, Clock::time_point t)
{
  size_t n = 0;
  for (auto &f : w.frames ())
    n += f.wall >= t;
  return n;
}

/* One nginx, a red primary and a blue backup. */
struct TwoPublishers
{
  NginxRtmp server;
  Publisher a, b;
  TwoPublishers () : TwoPublishers ({}, {}) {}
  TwoPublishers (const Publisher::Options &oa, const Publisher::Options &ob)
      : a (looks::red (), server.rtmp_url ("a"), oa),
        b (looks::blue (), server.rtmp_url ("b"), ob)
  {
    server.wait_for_publish ("a", 10s);
    server.wait_for_publish ("b", 10s);
  }
  std::string uris () const
  {
    return server.rtmp_url ("a") + " | " + server.rtmp_url ("b");
  }
};

}  // namespace failover_test
