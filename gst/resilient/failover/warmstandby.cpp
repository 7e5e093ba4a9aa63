/* gst-resilient: failoversrc's warm standby, element side (see
 * warmstandby.h). */
#include "failover/warmstandby.h"

#include "failover/controller.h"
#include "failover/outputstage.h"
#include "resilient/failover/warm.h"
#include "common/messages.h"

#include <deque>
#include <optional>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

namespace {

/* Samples this much older than the newest kept unit are still shown at a
 * wake (the decoded live edge may be retimed by videorate by a frame). */
constexpr GstClockTime WAKE_FLOOR_MARGIN = 100 * GST_MSECOND;

/* One decoder's gate: its GopStore and the buffers it kept, in order.
 * Only the decoder's streaming thread touches it (and the pad's probe
 * destroy notify, once nothing streams). */
struct Gate
{
  /* Streams only while its run is alive (runs end at NULL); the pad (and
   * this gate) may outlive it (a message's reference to the decoder), so
   * the destructor touches only `kept_units`, shared with the run. */
  CandidateRun *run = nullptr;
  std::shared_ptr<std::atomic<std::int64_t>> kept_units;
  int stream = -1;    /* VIDEO, AUDIO, or -1 while unknown */
  bool other = false; /* neither audio nor video: never gated */
  std::optional<GopStore> store;
  std::deque<GstBuffer *> kept;
  bool flushing = false; /* our own kept units on their way in */
  bool synced = false;   /* awake and decoding from a keyframe */

  ~Gate () { release (kept.size ()); }

  void release (std::size_t n)
  {
    for (std::size_t i = 0; i < n && !kept.empty (); i++) {
      gst_buffer_unref (kept.front ());
      kept.pop_front ();
      kept_units->fetch_sub (1, std::memory_order_relaxed);
    }
  }
};

void
gate_free (gpointer data)
{
  delete static_cast<Gate *> (data);
}

/* The gate's stream, from the decoder's sink caps at its first buffer. */
bool
learn_stream (Gate *g, GstPad *pad)
{
  if (g->stream >= 0 || g->other)
    return !g->other;
  g->stream = pad_stream_kind (pad);
  g->other = g->stream < 0;
  if (g->stream >= 0)
    g->store.emplace (GopConfig{}, g->stream == VIDEO);
  return !g->other;
}

/* Asleep: count the unit as delivered, keep it if the store says so. */
void
keep_unit (Gate *g, GstBuffer *buf)
{
  CandidateRun *run = g->run;
  record_buffer (run, running_now (run->self));
  count_content (run, g->stream, GST_BUFFER_PTS (buf),
                 GST_BUFFER_DURATION (buf));
  EncodedUnit u;
  u.keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
  if (GST_BUFFER_PTS_IS_VALID (buf))
    u.pts = from_ns (GST_BUFFER_PTS (buf));
  else if (GST_BUFFER_DTS_IS_VALID (buf))
    u.pts = from_ns (GST_BUFFER_DTS (buf));
  u.bytes = gst_buffer_get_size (buf);
  GopStore::Step s = g->store->on_unit (u);
  g->release (s.drop_front);
  if (s.keep) {
    g->kept.push_back (gst_buffer_ref (buf));
    g->kept_units->fetch_add (1, std::memory_order_relaxed);
  }
}

/* The running time of the newest of `units` (segment of `pad`); NONE when
 * unknown. */
GstClockTime
newest_running_time (GstPad *pad, const std::deque<GstBuffer *> &units)
{
  GstClockTime newest = GST_CLOCK_TIME_NONE;
  for (GstBuffer *b : units)
    if (GST_BUFFER_PTS_IS_VALID (b)
        && (!GST_CLOCK_TIME_IS_VALID (newest) || GST_BUFFER_PTS (b) > newest))
      newest = GST_BUFFER_PTS (b);
  GstEvent *ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  if (!ev)
    return GST_CLOCK_TIME_NONE;
  const GstSegment *seg = nullptr;
  gst_event_parse_segment (ev, &seg);
  GstClockTime rt
      = GST_CLOCK_TIME_IS_VALID (newest) && seg->format == GST_FORMAT_TIME
            ? gst_segment_to_running_time (seg, GST_FORMAT_TIME, newest)
            : GST_CLOCK_TIME_NONE;
  gst_event_unref (ev);
  return rt;
}

/* Awake with units kept: into the decoder, oldest first, all but the live
 * edge decode-only. Runs inside the gate on `pad`'s streaming thread (its
 * stream lock is recursive; the gate lets these through). */
void
flush_kept (Gate *g, GstPad *pad)
{
  std::vector<bool> plan = g->store->wake ();
  std::deque<GstBuffer *> units;
  units.swap (g->kept);
  g->kept_units->fetch_sub ((std::int64_t)units.size (),
                            std::memory_order_relaxed);
  /* What the branch still holds from before the sleep is older than the
   * kept units: stale at the output, and no lesson for the live edge. */
  GstClockTime newest = newest_running_time (pad, units);
  if (GST_CLOCK_TIME_IS_VALID (newest)) {
    GstClockTime floor
        = newest > WAKE_FLOOR_MARGIN ? newest - WAKE_FLOOR_MARGIN : 0;
    std::lock_guard<std::mutex> tg (g->run->timeline_lock);
    g->run->timeline.skip_before (g->stream, from_ns (floor));
  }
  GST_DEBUG_OBJECT (g->run->self, "candidate %d wakes: %zu %s units kept",
                    g->run->index, units.size (), stream_names[g->stream]);
  g->flushing = true;
  bool first = true;
  for (std::size_t i = 0; i < units.size (); i++) {
    GstBuffer *b = gst_buffer_make_writable (units[i]);
    if (i < plan.size () && plan[i])
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DECODE_ONLY);
    if (first)
      GST_BUFFER_FLAG_SET (b, GST_BUFFER_FLAG_DISCONT);
    first = false;
    gst_pad_chain (pad, b); /* a refusal shows on the next buffer too */
  }
  g->flushing = false;
}

GstPadProbeReturn
gate_probe (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  auto *g = static_cast<Gate *> (user_data);
  CandidateRun *run = g->run;
  if (g->flushing)
    return GST_PAD_PROBE_OK;
  /* Until uridecodebin has exposed its decoded pads (no-more-pads) and the
   * stream's first sample reached the run's appsink, the run decodes like
   * a hot one: decodebin's preroll (and so the pipeline's state change)
   * waits for every decoder's first output, and the run's timeline learns
   * the live edge it is woken against. */
  const bool asleep = run->asleep.load () && run->no_more_pads.load ()
                      && g->stream >= 0 && run->sampled[g->stream].load ();
  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    /* Asleep, nothing decoded reaches the decoded probe: EOS is seen
     * here. FLUSH_STOP (a seek) makes the kept units useless. */
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT (info);
    if (GST_EVENT_TYPE (ev) == GST_EVENT_EOS && asleep)
      live_eos (run);
    else if (GST_EVENT_TYPE (ev) == GST_EVENT_FLUSH_STOP && g->store) {
      g->release (g->kept.size ());
      g->store->clear ();
      g->synced = false;
    }
    return GST_PAD_PROBE_OK;
  }
  if (!(info->type & GST_PAD_PROBE_TYPE_BUFFER))
    return asleep ? GST_PAD_PROBE_DROP : GST_PAD_PROBE_OK; /* lists: rare */
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);
  if (!learn_stream (g, pad))
    return GST_PAD_PROBE_OK;
  if (asleep) {
    EncodedUnit u;
    u.keyframe = !GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT);
    if (run->finish_gop.load ()
        && !sleeps_at (g->stream == VIDEO, g->synced, u))
      return GST_PAD_PROBE_OK; /* decoded up to the next keyframe */
    g->synced = false;
    keep_unit (g, buf);
    return GST_PAD_PROBE_DROP;
  }
  if (!g->kept.empty ()) {
    flush_kept (g, pad);
    g->synced = true;
  }
  if (!g->synced) {
    /* Woken without a kept keyframe: decoding starts at the next one. */
    if (GST_BUFFER_FLAG_IS_SET (buf, GST_BUFFER_FLAG_DELTA_UNIT))
      return GST_PAD_PROBE_DROP;
    g->synced = true;
  }
  return GST_PAD_PROBE_OK;
}

/* A warm run falls asleep: the newest frame it kept while awake is stale
 * by its next wake. Leaf lock. */
void
forget_latest (CandidateRun &run)
{
  for (auto &b : run.branches) {
    std::lock_guard<std::mutex> g (b.latest_lock);
    gst_clear_buffer (&b.latest);
    gst_clear_caps (&b.latest_caps);
  }
}

} // namespace

void
gate_decoder (CandidateRun *run, GstPad *sink)
{
  auto *g = new Gate;
  g->run = run;
  g->kept_units = run->kept_units;
  gst_pad_add_probe (sink,
                     (GstPadProbeType)(GST_PAD_PROBE_TYPE_BUFFER
                                       | GST_PAD_PROBE_TYPE_BUFFER_LIST
                                       | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM),
                     gate_probe, g, gate_free);
  GST_DEBUG_OBJECT (run->self, "candidate %d: decoder %s gated (warm)",
                    run->index, GST_OBJECT_NAME (GST_OBJECT_PARENT (sink)));
}

void
wake_warm_runs (GstFailoverSrc *self, std::uint64_t source)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::lock_guard<std::mutex> g (priv->state_lock);
  int to = -1;
  for (auto &[index, run] : priv->runs)
    if (run->id == source)
      to = index;
  priv->early_wake.on_switch (to);
  for (auto &[index, run] : priv->runs) {
    if (!run->warm)
      continue;
    const bool sleep = run->id != source;
    if (!sleep && run->asleep.load ()) {
      /* Before the gate opens: what the branch held is stale at the wake.
       * (A backup woken early has been following its live edge: as a hot
       * one, nothing to resettle.) */
      std::lock_guard<std::mutex> tg (run->timeline_lock);
      run->timeline.resettle ();
    }
    run->finish_gop = false;
    const bool was_asleep = run->asleep.exchange (sleep);
    if (sleep && !was_asleep)
      forget_latest (*run);
    if (was_asleep != sleep)
      GST_INFO_OBJECT (self, "candidate %d %s", index,
                       sleep ? "falls asleep (warm: parsed, not decoded)"
                             : "wakes (warm: its kept GOP is decoded)");
  }
}

std::vector<EarlyWakeNote>
early_wake_locked (GstFailoverSrcPrivate *priv, GstClockTime now)
{
  std::vector<EarlyWakeNote> notes;
  if (!priv->policy || priv->policy->config ().standby != Standby::Warm)
    return notes;
  std::vector<EarlyWake::Change> changes;
  const int active = priv->policy->active ();
  auto act = priv->runs.find (active);
  if (active >= 0 && act != priv->runs.end ()
      && !act->second->failed_reported.load ()) {
    Silence verdict;
    {
      std::lock_guard<std::mutex> sg (act->second->stall_lock);
      verdict = act->second->stall.judge (tp (now));
    }
    if (verdict == Silence::Suspect)
      changes = priv->early_wake.on_suspect (priv->policy->backup (), tp (now));
  }
  for (auto &c : priv->early_wake.step (tp (now)))
    changes.push_back (c);
  for (auto &c : changes) {
    auto it = priv->runs.find (c.index);
    if (it == priv->runs.end () || !it->second->warm)
      continue;
    CandidateRun &run = *it->second;
    if (c.awake && run.asleep.load ()) {
      /* As at a switch's wake: what the branch held is stale. */
      {
        std::lock_guard<std::mutex> tg (run.timeline_lock);
        run.timeline.resettle ();
      }
      run.finish_gop = false;
      run.asleep = false;
    } else if (!c.awake && run.id != priv->active_source.load ()) {
      run.finish_gop = true;
      run.asleep = true;
      forget_latest (run);
    } else {
      continue;
    }
    notes.push_back ({ c.index, run.safe_uri, c.awake, active,
                       (std::uint64_t)to_ms (c.awake_for) });
  }
  return notes;
}

void
post_early_wakes (GstFailoverSrc *self, const std::vector<EarlyWakeNote> &notes)
{
  for (const auto &n : notes) {
    GST_INFO_OBJECT (
        self, "candidate %d %s (warm, first sign of a stall on %d)", n.index,
        n.awake ? "woken early: decodes its kept GOP"
                : "asleep again: the sign passed",
        n.suspect_index);
    post_element_message (
        GST_ELEMENT (self),
        gst_structure_new (
            "failoversrc-backup-wake", "index", G_TYPE_INT, n.index, "uri",
            G_TYPE_STRING, n.uri.c_str (), "awake", G_TYPE_BOOLEAN,
            (gboolean)n.awake, "suspect-index", G_TYPE_INT, n.suspect_index,
            "awake-ms", G_TYPE_UINT64, (guint64)n.awake_ms, nullptr));
  }
}

} // namespace resilient::gst::failoversrc
