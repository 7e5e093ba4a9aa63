/* gst-resilient: failoversrc's state, shared by its parts.
 *
 * The element (gstfailoversrc.cpp) is the GObject shell: properties,
 * signals, state changes, message routing, statistics. Its parts:
 *
 *   failover/candidaterun.{h,cpp}  one candidate's sub-bin, probes, pacing,
 *                                  start/stop (CandidateRun)
 *   failover/outputstage.{h,cpp}   appsrcs, ghost pads, caps, DISCONT, gap
 *                                  measurement, filler (OutputStage)
 *   failover/controller.{h,cpp}    the loop: ticks, health, the policy's
 *                                  Actions (one function per action)
 *   failover/busmessages.{h,cpp}   the documented bus messages
 *   failover/properties.{h,cpp}    the property table, blurbs, settings
 *   failover/contentsampler.{h,cpp} cheap content samples (content health)
 *   failover/healthwatch.{h,cpp}   the verdicts on a run at a health tick
 *   failover/switching.{h,cpp}     carrying out a switch
 *   failover/warmstandby.{h,cpp}   warm standby's decoder gates and wake
 *   failover/encodedfiller.{h,cpp} mode=encoded's filler (encoded slates)
 *
 * The timing decisions are in lib/resilient/failover/output_timeline.h;
 * stall.h, connect.h and content.h judge stalls, the connect stage and
 * content health.
 * Threads and the lock order are described at the top of gstfailoversrc.cpp.
 */
#pragma once

#include "gstfailoversrc.h"

#include "common/controlloop.h"
#include "failover/encodedfiller.h"
#include "failover/outputstage.h"
#include "resilient/cluster/client.h"
#include "resilient/failover/candidates.h"
#include "resilient/failover/content.h"
#include "resilient/failover/health.h"
#include "resilient/failover/policy.h"
#include "resilient/failover/stall.h"
#include "resilient/failover/warm.h"

#include <gst/gst.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

GST_DEBUG_CATEGORY_EXTERN (failover_src_debug);

typedef enum {
  GST_FAILOVER_SRC_STANDBY_COLD,
  GST_FAILOVER_SRC_STANDBY_HOT,
  GST_FAILOVER_SRC_STANDBY_WARM,
} GstFailoverSrcStandby;

typedef enum {
  GST_FAILOVER_SRC_MODE_DECODED,
  GST_FAILOVER_SRC_MODE_ENCODED,
} GstFailoverSrcMode;

typedef enum {
  GST_FAILOVER_SRC_ALL_FAILED_ERROR,
  GST_FAILOVER_SRC_ALL_FAILED_EOS,
} GstFailoverSrcAllFailed;

typedef enum {
  GST_FAILOVER_SRC_STATUS_STOPPED,
  GST_FAILOVER_SRC_STATUS_STARTING,
  GST_FAILOVER_SRC_STATUS_LIVE,
  GST_FAILOVER_SRC_STATUS_BACKUP,
  GST_FAILOVER_SRC_STATUS_FILLER,
} GstFailoverSrcStatus;

namespace resilient::gst::failoversrc {

/* ---- defaults (justified in docs/elements/failoversrc.md) --------------- */

#define DEFAULT_STANDBY GST_FAILOVER_SRC_STANDBY_COLD
/* Decoded output: what every existing pipeline expects. */
#define DEFAULT_MODE GST_FAILOVER_SRC_MODE_DECODED
constexpr guint DEFAULT_TIMEOUT_MS = 2000;
/* Adaptive stall detection: silence tolerated on top of a live
 * candidate's learned rhythm (a 400 ms TCP retransmission hold and
 * margin); 0 turns it off. */
constexpr guint DEFAULT_STALL_TOLERANCE_MS = 420;
constexpr guint DEFAULT_ADAPTIVE_TIMEOUT_MS = 10000;
constexpr guint DEFAULT_STARTUP_TIMEOUT_MS = 10000;
/* Time a starting candidate's source gets to put out its first byte. */
constexpr guint DEFAULT_CONNECT_TIMEOUT_MS = 3000;
constexpr guint DEFAULT_MIN_BITRATE_KBPS = 0;
/* Content health: a black picture fails a candidate by default; a frozen
 * picture and silence are off by default (slides, screen shares, still-image
 * slates and quiet programmes are legitimate; docs/elements/failoversrc.md). */
constexpr guint DEFAULT_BLACK_TIMEOUT_MS = 5000;
constexpr guint DEFAULT_FROZEN_TIMEOUT_MS = 0;
constexpr guint DEFAULT_SILENCE_TIMEOUT_MS = 0;
constexpr guint DEFAULT_BITRATE_WINDOW_MS = 1000;
constexpr guint DEFAULT_LOW_BITRATE_WINDOWS = 3;
constexpr guint DEFAULT_RETRY_DELAY_MS = 500;
constexpr guint DEFAULT_RETRY_MAX_DELAY_MS = 30000;
constexpr gint DEFAULT_RETRY_MAX_ATTEMPTS = -1;
constexpr guint DEFAULT_FAILBACK_HOLDOFF_MS = 5000;
constexpr gboolean DEFAULT_AUTO_FAILBACK = TRUE;
constexpr guint DEFAULT_HOLD_LAST_FRAME_MS = 1000;
constexpr guint DEFAULT_LATENCY_MS = 200;
#define DEFAULT_ALL_FAILED GST_FAILOVER_SRC_ALL_FAILED_ERROR
constexpr gboolean DEFAULT_ENABLE_VIDEO = TRUE;
constexpr gboolean DEFAULT_ENABLE_AUDIO = TRUE;
/* Failback proof: longest freeze a candidate may show while proving itself. */
constexpr GstClockTime FAILBACK_MAX_FREEZE = 500 * GST_MSECOND;

constexpr GstClockTime HEALTH_PERIOD = 100 * GST_MSECOND;

struct Settings
{
  std::vector<std::string> uris;
  GstCaps *caps[2] = { nullptr, nullptr };
  GstFailoverSrcStandby standby = DEFAULT_STANDBY;
  GstFailoverSrcMode mode = DEFAULT_MODE;
  guint timeout = DEFAULT_TIMEOUT_MS;
  guint stall_tolerance = DEFAULT_STALL_TOLERANCE_MS;
  guint adaptive_timeout = DEFAULT_ADAPTIVE_TIMEOUT_MS;
  guint startup_timeout = DEFAULT_STARTUP_TIMEOUT_MS;
  guint connect_timeout = DEFAULT_CONNECT_TIMEOUT_MS;
  guint min_bitrate = DEFAULT_MIN_BITRATE_KBPS;
  guint black_timeout = DEFAULT_BLACK_TIMEOUT_MS;
  guint frozen_timeout = DEFAULT_FROZEN_TIMEOUT_MS;
  guint silence_timeout = DEFAULT_SILENCE_TIMEOUT_MS;
  guint bitrate_window = DEFAULT_BITRATE_WINDOW_MS;
  guint low_bitrate_windows = DEFAULT_LOW_BITRATE_WINDOWS;
  guint retry_delay = DEFAULT_RETRY_DELAY_MS;
  guint retry_max_delay = DEFAULT_RETRY_MAX_DELAY_MS;
  gint retry_max_attempts = DEFAULT_RETRY_MAX_ATTEMPTS;
  guint failback_holdoff = DEFAULT_FAILBACK_HOLDOFF_MS;
  gboolean auto_failback = DEFAULT_AUTO_FAILBACK;
  guint hold_last_frame = DEFAULT_HOLD_LAST_FRAME_MS;
  std::string fallback_image;
  guint latency = DEFAULT_LATENCY_MS;
  gint requested_active = -1;
  GstFailoverSrcAllFailed all_failed = DEFAULT_ALL_FAILED;
  gboolean enable[2] = { DEFAULT_ENABLE_VIDEO, DEFAULT_ENABLE_AUDIO };
};

struct CandidateRun;

/* A switch decided on the loop, reported (failoversrc-switch) when the first
 * buffer of its new source reaches the output. */
struct PendingSwitch
{
  bool armed = false;
  std::uint64_t source = 0;
  int from = -1, to = -1;
  std::string from_uri, to_uri, reason;
  int cause_index = -1; /* whose failure moved the output, -1 none */
  std::uint64_t detect_ms = 0;
  std::uint64_t filler_ms = 0; /* time on filler before, when from = -1 */
};

struct CandidateStats
{
  /* cluster:// candidates: the redacted URL of the host in use (or last
   * used); "" otherwise. */
  std::string host_uri;
  std::uint64_t bitrate_kbps = 0;
  gint64 last_buffer_age_ms = -1;
  /* The silence that fails it now (learned, at most the timeout). */
  gint64 stall_limit_ms = -1;
  /* "alive", or the content fault it shows now ("black", "frozen",
   * "silent"); "" when not running. */
  std::string content;
};

struct Stats
{
  std::uint64_t num_switches = 0, num_failbacks = 0, num_retries = 0;
  std::string last_reason;
  std::uint64_t time_on_backup_ms = 0, time_on_filler_ms = 0;
  std::uint64_t last_gap_ms = 0, max_gap_ms = 0;
};

using ClusterClientPtr = std::shared_ptr<resilient::cluster::ClusterClient>;

} // namespace resilient::gst::failoversrc

struct GstFailoverSrcPrivate
{
  using Settings = resilient::gst::failoversrc::Settings;
  using CandidateRun = resilient::gst::failoversrc::CandidateRun;

  std::mutex settings_lock;
  Settings settings;

  std::mutex state_lock;
  std::vector<resilient::failover::Candidate> candidates;
  /* cluster://<id>/<path> candidates: the resolver client per index (see
   * docs/elements/clusterresolver.md, "For consumers"). */
  std::map<int, resilient::gst::failoversrc::ClusterClientPtr> clusters;
  std::unique_ptr<resilient::failover::FailoverPolicy> policy;
  /* Warm standby: the backup woken at the active one's first sign of a
   * stall (warmstandby.h, early_wake_locked). */
  resilient::failover::EarlyWake early_wake;
  std::map<int, std::shared_ptr<CandidateRun>> runs;
  std::vector<resilient::gst::failoversrc::CandidateStats> cand_stats;
  resilient::gst::failoversrc::Stats stats;
  GstFailoverSrcStatus status = GST_FAILOVER_SRC_STATUS_STOPPED;
  bool playing = false;
  bool ever_active = false;
  GstClockTime playing_since = GST_CLOCK_TIME_NONE;
  GstClockTime active_since = GST_CLOCK_TIME_NONE;
  GstClockTime last_health = GST_CLOCK_TIME_NONE;
  std::uint64_t next_run_id = 1;
  bool eos_sent = false;
  resilient::gst::ControlLoop::TimerId tick_timer = 0;
  /* Earliest time a running candidate's silence reaches its timeout, as of
   * the last schedule_tick (loop thread). */
  GstClockTime silence_deadline = GST_CLOCK_TIME_NONE;

  std::atomic<std::uint64_t> active_source{ 0 }; /* run id, 0 filler */
  std::atomic<int> active_index{ -1 };

  std::mutex switch_lock;
  resilient::gst::failoversrc::PendingSwitch pending;

  /* The last failure text of each given-up candidate (state_lock). */
  std::map<int, std::string> last_failure;

  resilient::gst::failoversrc::OutputStage output;
  /* mode=encoded: the slates (loop thread). */
  resilient::gst::failoversrc::EncodedFiller enc_filler;

  /* Set on PAUSED->PLAYING. */
  std::atomic<GstClock *> clock{ nullptr };
  std::atomic<GstClockTime> base_time{ 0 };
  std::atomic<GstClockTime> latency_ns{
    resilient::gst::failoversrc::DEFAULT_LATENCY_MS * GST_MSECOND
  };
  std::atomic<GstClockTime> hold_ns{
    resilient::gst::failoversrc::DEFAULT_HOLD_LAST_FRAME_MS * GST_MSECOND
  };

  resilient::gst::ControlLoop loop{ "failoversrc" };
};

struct _GstFailoverSrc
{
  GstBin parent;
  GstFailoverSrcPrivate *priv;
};

namespace resilient::gst::failoversrc {

/* The element's running time now (pipeline clock), NONE before PLAYING. */
GstClockTime running_now (GstFailoverSrc *self);

/* A GstClockTime as the lib's TimePoint (NONE as 0). */
inline resilient::TimePoint
tp (GstClockTime t)
{
  return resilient::from_ns (GST_CLOCK_TIME_IS_VALID (t) ? t : 0);
}

resilient::failover::HealthConfig health_config (const Settings &s);
resilient::failover::PolicyConfig policy_config (const Settings &s);
/* Adaptive stall detection for a candidate of `kind` (live only). */
resilient::failover::StallConfig
stall_config (const Settings &s, resilient::failover::InputKind kind);
/* Content health thresholds. */
resilient::failover::ContentConfig content_config (const Settings &s);
/* The connect limit for a candidate of `scheme` (zero: not checked). */
resilient::Duration connect_limit (const Settings &s,
                                   const std::string &scheme);

} // namespace resilient::gst::failoversrc
