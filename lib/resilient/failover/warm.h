/* gst-resilient: warm standby's decisions (failoversrc standby=warm).
 *
 * A warm backup is connected, demuxed and parsed but not decoded: its
 * decoders see no buffer until it goes on the output. Meanwhile each of its
 * encoded streams keeps a GopStore: the video from its last keyframe (the
 * current GOP), the audio's newest few hundred milliseconds. On a switch
 * the kept units go into the decoder at once, in order; every video unit
 * older than the newest by more than `show_window` is marked decode-only
 * (decoded as a reference, never shown or converted), so the first picture
 * out is the live edge and the decoder's work is one GOP at full speed.
 *
 * The element keeps the buffers, in the same order, and does what each
 * Step says; GopStore only sees the units' flags, timestamps and sizes, so
 * its rules are unit-tested with made-up streams (no clock is read).
 */
#pragma once

#include "resilient/core/time.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace resilient::failover {

/* One encoded unit (an access unit, an audio frame) as the store sees it. */
struct EncodedUnit
{
  bool keyframe = true; /* decodable on its own (not a delta unit) */
  std::optional<Duration> pts;
  std::size_t bytes = 0;
};

struct GopConfig
{
  /* A GOP longer than this, or bigger than max_bytes / max_units, is not
   * kept (the store empties and waits for the next keyframe): a stream that
   * never sends a keyframe cannot grow the store without bound. 10 s covers
   * the longest GOPs live encoders are set to (2-4 s is usual). */
  Duration max_span = ms (10000);
  std::size_t max_bytes = 16u << 20;
  std::size_t max_units = 1200;
  /* Audio (every unit decodable on its own): the newest span kept. It
   * covers the decoder's priming and the output's latency; older audio
   * would be dropped as stale at the output anyway. */
  Duration audio_keep = ms (300);
  /* Units kept when a stream has no timestamps (audio only). */
  std::size_t audio_units_without_pts = 16;
  /* On wake, video units older than the newest by more than this are
   * decode-only. 0: only the newest picture is shown. */
  Duration show_window = Duration::zero ();
};

class GopStore
{
public:
  GopStore (GopConfig config, bool video) : config_ (config), video_ (video) {}

  /* What to do with the unit just arrived: first release `drop_front`
   * units from the front of the kept ones, then keep this one (or not). */
  struct Step
  {
    std::size_t drop_front = 0;
    bool keep = false;
  };
  Step on_unit (const EncodedUnit &u);

  /* The wake plan: for each kept unit, in order, whether it is decoded
   * only (true) or also shown. The store is empty afterwards. */
  std::vector<bool> wake ();

  /* Forgets everything (the element released its buffers). */
  void clear ();

  std::size_t units () const { return kept_.size (); }
  std::size_t bytes () const { return bytes_; }
  /* Video: a keyframe is kept, so a wake can decode at once. */
  bool ready () const { return !kept_.empty (); }

private:
  struct Kept
  {
    std::optional<Duration> pts;
    std::size_t bytes;
  };
  Step on_video (const EncodedUnit &u);
  Step on_audio (const EncodedUnit &u);
  std::size_t pop_front (std::size_t n);
  bool over_limits () const;

  GopConfig config_;
  bool video_;
  std::deque<Kept> kept_;
  std::size_t bytes_ = 0;
};

/* A decoding video stream told to sleep goes on decoding up to its next
 * keyframe and falls asleep there, keeping it: its store then always holds
 * a GOP to wake with (dropping mid-GOP would leave it empty, and a wake
 * before the next keyframe would wait for one). Audio, every unit of which
 * is decodable on its own, sleeps at once. The element applies it to a
 * backup woken early that falls asleep again (a re-wake is likely soon);
 * a run leaving the output or done with its start sleeps at once. */
inline bool
sleeps_at (bool video, bool decoding, const EncodedUnit &u)
{
  return !video || !decoding || u.keyframe;
}

/* Warm standby's early wake. The active candidate's first sign of a stall
 * (StallDetector's Suspect) wakes the backup a confirmed stall would switch
 * to: it decodes its kept GOP and follows its live edge off the output, as
 * a hot backup does, so the switch, when the stall is confirmed, costs what
 * a hot switch costs. A false sign (the active candidate delivers again)
 * costs the backup's decoding until it falls asleep again, `linger` after
 * the last tick that saw the sign. At most one backup is awake early; a
 * switch ends the early wake (the backup went on the output, or the switch
 * put every run but the new source to sleep). Times are injected. */
struct EarlyWakeConfig
{
  /* The woken backup falls asleep this long after the last sign. A
   * recovering path often holds again within a second (a TCP
   * retransmission's back-off); one second costs at most a second of the
   * backup's decoding per false sign, and a later re-wake decodes only the
   * GOP kept since (sleeps_at). */
  Duration linger = ms (1000);
};

class EarlyWake
{
public:
  explicit EarlyWake (EarlyWakeConfig config = {}) : config_ (config) {}

  /* A backup changes state: `awake` true (woken early) or false (asleep
   * again after `awake_for`). */
  struct Change
  {
    int index = -1;
    bool awake = false;
    Duration awake_for{};
  };

  /* The active candidate shows a first sign of a stall at `now`; `backup`
   * is the candidate a confirmed stall would switch to (-1: none). */
  std::vector<Change> on_suspect (int backup, TimePoint now);
  /* Periodic: the woken backup falls asleep once `linger` has passed since
   * the last sign. */
  std::vector<Change> step (TimePoint now);
  /* The output moved to `to` (-1 filler): the early wake ends; it served
   * when `to` is the woken backup. */
  void on_switch (int to);

  /* The backup awake early (-1: none). */
  int woken () const { return woken_; }
  std::uint64_t wakes () const { return wakes_; }
  /* Wakes that ended with the woken backup on the output. */
  std::uint64_t served () const { return served_; }

private:
  EarlyWakeConfig config_;
  int woken_ = -1;
  TimePoint since_{};
  TimePoint last_sign_{};
  std::uint64_t wakes_ = 0;
  std::uint64_t served_ = 0;
};

} // namespace resilient::failover
