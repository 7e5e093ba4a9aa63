/* gst-resilient: failoversrc's health watch (see healthwatch.h). */
#include "failover/healthwatch.h"

#include "failover/outputstage.h"

#include <algorithm>
#include <optional>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

HealthConfig
health_config (const Settings &s)
{
  HealthConfig c;
  c.timeout = ms (s.timeout);
  c.adaptive_timeout = ms (s.adaptive_timeout);
  c.startup_timeout = ms (s.startup_timeout);
  c.min_bitrate_kbps = s.min_bitrate;
  c.window = ms (s.bitrate_window);
  c.low_windows = s.low_bitrate_windows;
  return c;
}

StallConfig
stall_config (const Settings &s, InputKind kind)
{
  StallConfig c;
  /* Segment-based and file candidates deliver in bursts the element paces
   * itself: only their timeouts apply. */
  c.tolerance = kind == InputKind::Live ? ms (s.stall_tolerance) : Duration{};
  c.ceiling = ms (s.timeout);
  return c;
}

ContentConfig
content_config (const Settings &s)
{
  ContentConfig c;
  c.black = ms (s.black_timeout);
  c.frozen = ms (s.frozen_timeout);
  c.silence = ms (s.silence_timeout);
  return c;
}

Duration
connect_limit (const Settings &s, const std::string &scheme)
{
  /* reswhepsrc bounds its own stages (HTTP, ICE, DTLS) and reports them as
   * reswhepsrc-failure with the HTTP status (see "WHEP candidates"). */
  if (scheme == "whep" || scheme == "wheps")
    return Duration{};
  return ms (s.connect_timeout);
}

namespace {

std::string
timeout_detail (const HealthResult &h, const StallDetector &stall)
{
  if (!h.learned_limit)
    return "no data within the timeout";
  return "no data for " + std::to_string (to_ms (h.silence))
         + " ms, against a usual delivery rhythm of "
         + std::to_string (to_ms (2 * stall.mean () + 4 * stall.var ()))
         + " ms (stall-tolerance)";
}

std::string
failure_detail (const HealthResult &h, const StallDetector &stall)
{
  if (h.reason == FailureReason::LowBitrate)
    return "bitrate under min-bitrate";
  return timeout_detail (h, stall);
}

} // namespace

/* Loop thread: the checks of a run that has not delivered yet (connect
 * stage, undecodable bytes). */
static std::optional<TickFailure>
start_failure (int index, CandidateRun &r, GstClockTime now)
{
  bool any = r.source_bytes.load () > 0 || r.parsed_buffers.load () > 0
             || r.buffers.load () > 0;
  if (auto began = r.connect.update (tp (now), any))
    return TickFailure{ r.id, index, FailureReason::ConnectFailed,
                        to_ns (*began),
                        "nothing from the server within connect-timeout ("
                            + std::to_string (to_ms (r.connect.limit ()))
                            + " ms): it accepted the connection but did not "
                              "answer as "
                            + r.scheme + "://" };
  if (auto proven
      = r.undecodable.update (tp (now), r.source_bytes.load (),
                              r.parsed_buffers.load (), r.buffers.load ()))
    return TickFailure{ r.id, index, FailureReason::Undecodable,
                        to_ns (*proven),
                        "undecodable stream: "
                            + std::to_string (kUndecodableBytes / 1024)
                            + " KiB from the source and nothing a demuxer, "
                              "parser or decoder could use" };
  return std::nullopt;
}

/* Loop thread: the content verdict of a delivering run; `state` becomes
 * "alive" or the fault it shows now. */
static std::optional<TickFailure>
content_failure (int index, CandidateRun &r, GstClockTime now,
                 std::string &state)
{
  std::optional<ContentFault> f;
  {
    std::lock_guard<std::mutex> g (r.content_lock);
    f = r.content.judge (tp (now));
    state = r.content.alive () ? "alive" : "suspect";
  }
  if (!f)
    return std::nullopt;
  state = reason_name (f->reason);
  const char *what = f->reason == FailureReason::BlackVideo ? "black picture"
                     : f->reason == FailureReason::FrozenVideo
                         ? "frozen picture"
                         : "silent audio";
  return TickFailure{ r.id, index, f->reason, to_ns (f->since),
                      std::string (what) + " for "
                          + std::to_string (to_ms (f->lasted))
                          + " ms while connected" };
}

/* Loop thread, state_lock held: the verdicts on run `r` at `now`. The
 * active run's first sign of a stall prepares a cold backup; only live
 * content counts for the failback proof. */
void
judge_run_locked (GstFailoverSrcPrivate *priv, int index, CandidateRun &r,
                  GstClockTime now, std::vector<TickFailure> &failed,
                  std::vector<ClusterClientPtr> &healthy_clusters)
{
  gint64 last = r.last_buffer_ns.load ();
  std::optional<TimePoint> lastp;
  if (last >= 0)
    lastp = from_ns ((guint64)last);
  StallDetector stall;
  {
    std::lock_guard<std::mutex> g (r.stall_lock);
    stall = r.stall;
  }
  /* The limit is learned from the arrivals (record_buffer); the silence
   * runs from the newest moment either series saw, so content the output
   * still paces out (a hold it rides out) is not silence. */
  std::optional<Duration> learned;
  if (stall.learned ())
    learned = stall.limit ();
  HealthResult h = r.health->update (tp (now), r.bytes.load (),
                                     r.buffers.load (), lastp, learned);
  std::string content_state;
  std::optional<TickFailure> f;
  if (h.verdict == Verdict::Failed)
    f = TickFailure{ r.id, index, h.reason, to_ns (h.first_sign),
                     failure_detail (h, stall) };
  else if (h.verdict == Verdict::Starting)
    f = start_failure (index, r, now);
  else
    f = content_failure (index, r, now, content_state);
  if (index < (int)priv->cand_stats.size ()) {
    auto &cs = priv->cand_stats[index];
    cs.bitrate_kbps = r.health->bitrate_kbps ();
    auto age = r.health->last_buffer_age (tp (now));
    cs.last_buffer_age_ms = age ? to_ms (*age) : -1;
    cs.stall_limit_ms = to_ms (std::min (learned.value_or (Duration::max ()),
                                         r.health->effective_timeout ()));
    cs.content = content_state;
  }
  if (f) {
    failed.push_back (*f);
  } else if (h.verdict == Verdict::Healthy && !r.reported_healthy) {
    r.reported_healthy = true;
    priv->policy->on_healthy (index, tp (now));
    auto c = priv->clusters.find (index);
    if (c != priv->clusters.end ())
      healthy_clusters.push_back (c->second);
  } else if (h.verdict == Verdict::Healthy
             && stall.judge (tp (now)) == Silence::Suspect) {
    priv->policy->on_suspect (index, tp (now));
  }
  /* New live content (video, else audio) for the failback proof. */
  std::uint64_t content = r.has_stream[VIDEO].load ()
                              ? r.content_ns[VIDEO].load ()
                              : r.content_ns[AUDIO].load ();
  std::uint64_t fresh = content - std::min (content, r.content_reported);
  r.content_reported = content;
  if (content_state == "suspect" || (f && !content_state.empty ()))
    fresh = 0;
  priv->policy->on_content (index, tp (now), from_ns (fresh));
}

} // namespace resilient::gst::failoversrc
