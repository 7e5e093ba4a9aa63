/* gst-resilient: failoversrc's switches (see switching.h). */
#include "failover/switching.h"

#include "failover/busmessages.h"
#include "failover/candidaterun.h"
#include "failover/controller.h"
#include "failover/encoded.h"
#include "failover/outputstage.h"
#include "failover/warmstandby.h"

#include <algorithm>
#include <optional>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

/* Right after a switch to a running candidate: its newest video frame
 * (kept while it was not on the output) goes out now, so a hot standby is
 * on air at once rather than at its next frame. Loop thread. */
static void
put_latest_frame_out (GstFailoverSrc *self, int index, std::uint64_t source)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::shared_ptr<CandidateRun> run;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    auto it = priv->runs.find (index);
    if (it != priv->runs.end () && it->second->id == source)
      run = it->second;
  }
  if (!run || run->stopping.load ())
    return;
  Branch &b = run->branches[VIDEO];
  GstBuffer *buf = nullptr;
  GstCaps *caps = nullptr;
  {
    std::lock_guard<std::mutex> g (b.latest_lock);
    buf = b.latest;
    caps = b.latest_caps;
    b.latest = nullptr;
    b.latest_caps = nullptr;
  }
  GstClockTime now = running_now (self);
  if (buf && caps && GST_CLOCK_TIME_IS_VALID (now)
      && priv->active_source.load () == source) {
    GST_DEBUG_OBJECT (self, "candidate %d: newest frame out at the switch",
                      index);
    push_output (self, VIDEO, buf, now, source, index, caps);
    buf = nullptr;
  }
  gst_clear_buffer (&buf);
  gst_clear_caps (&caps);
}

/* ---- switching ------------------------------------------------------------
 */

void
report_switch (GstFailoverSrc *self, const PendingSwitch &p, GstClockTime gap)
{
  std::uint64_t gap_ms = GST_CLOCK_TIME_IS_VALID (gap) ? gap / GST_MSECOND : 0;
  {
    std::lock_guard<std::mutex> g (self->priv->state_lock);
    self->priv->stats.last_gap_ms = gap_ms;
    self->priv->stats.max_gap_ms
        = std::max (self->priv->stats.max_gap_ms, gap_ms);
  }
  GST_INFO_OBJECT (self,
                   "switched %d -> %d (%s), gap %" G_GUINT64_FORMAT
                   " ms, detect %" G_GUINT64_FORMAT " ms",
                   p.from, p.to, p.reason.c_str (), gap_ms, p.detect_ms);
  post_switch (GST_ELEMENT (self), p, gap_ms);
}

/* Statistics of a switch decided now; returns the new source's run id and
 * the time spent on filler before it (when it leaves filler). */
static std::uint64_t
account_switch (GstFailoverSrc *self, const Action &a, GstClockTime now,
                std::uint64_t &filler_ms)
{
  auto *priv = self->priv;
  std::uint64_t source = 0;
  std::lock_guard<std::mutex> g (priv->state_lock);
  if (a.to >= 0) {
    auto it = priv->runs.find (a.to);
    if (it != priv->runs.end ())
      source = it->second->id;
    priv->ever_active = true;
  }
  /* Time accounting of the candidate we leave. */
  if (GST_CLOCK_TIME_IS_VALID (priv->active_since)
      && GST_CLOCK_TIME_IS_VALID (now) && now > priv->active_since) {
    std::uint64_t spent = (now - priv->active_since) / GST_MSECOND;
    if (a.from < 0) {
      priv->stats.time_on_filler_ms += spent;
      filler_ms = spent;
    } else if (a.from != 0)
      priv->stats.time_on_backup_ms += spent;
  }
  priv->active_since = now;
  priv->stats.num_switches++;
  if (a.why == SwitchReason::Failback)
    priv->stats.num_failbacks++;
  priv->stats.last_reason = a.reason;
  return source;
}

/* Action Switch: the output follows run `source` (0 filler) from now on;
 * the switch is reported when its first buffer goes out. */
void
apply_switch (GstFailoverSrc *self, const Action &a)
{
  auto *priv = self->priv;
  std::uint64_t filler_ms = 0;
  std::uint64_t source
      = account_switch (self, a, running_now (self), filler_ms);
  PendingSwitch next;
  next.armed = true;
  next.source = source;
  next.from = a.from;
  next.to = a.to;
  next.from_uri = candidate_uri (priv, a.from);
  next.to_uri = candidate_uri (priv, a.to);
  next.reason = a.reason;
  next.cause_index = a.cause_index;
  next.detect_ms = (std::uint64_t)to_ms (a.detect);
  next.filler_ms = filler_ms;
  std::optional<PendingSwitch> superseded;
  {
    std::lock_guard<std::mutex> g (priv->switch_lock);
    /* A switch decided before the previous one put a buffer out: the
     * previous one is reported now (nothing of it reached the output, gap
     * 0) and the new one measures the whole gap. */
    if (priv->pending.armed)
      superseded = priv->pending;
    priv->pending = next;
  }
  if (superseded)
    report_switch (self, *superseded, 0);
  /* Encoded: the new source's cut is ready before its units go out. */
  prepare_encoded_cut (self, source);
  priv->active_index = a.to;
  priv->active_source = source;
  wake_warm_runs (self, source);
  if (source != 0)
    put_latest_frame_out (self, a.to, source);
  GST_INFO_OBJECT (self, "switch %d -> %d: %s", a.from, a.to,
                   a.reason.c_str ());
}

} // namespace resilient::gst::failoversrc
