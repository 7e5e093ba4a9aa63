/* gst-resilient: failoversrc mode=encoded, element side (see encoded.h). */
#include "failover/encoded.h"

#include "common/codecs.h"
#include "failover/candidaterun.h"
#include "failover/controller.h"
#include "failover/encodedfiller.h"
#include "failover/outputstage.h"
#include "failover/private.h"

#include <utility>

#define GST_CAT_DEFAULT failover_src_debug

using namespace resilient;
using namespace resilient::failover;

namespace resilient::gst::failoversrc {

const CutConfig ENCODED_CUT{};

namespace {

/* A GOP longer than the cut may use is not worth keeping; audio covers the
 * same span (the cut replays it from the kept keyframe on). */
GopConfig
encoded_gop_config ()
{
  GopConfig c;
  c.max_span = ENCODED_CUT.max_delay;
  c.audio_keep = ENCODED_CUT.max_delay;
  c.audio_units_without_pts = 200;
  return c;
}

void
release (HeldUnit &u)
{
  gst_clear_buffer (&u.buf);
  gst_clear_caps (&u.caps);
}

void
release_all (std::deque<HeldUnit> &units)
{
  for (auto &u : units)
    release (u);
  units.clear ();
}

/* The caps of the codec table's entry: parsed video, framed audio. */
void
append_codec_caps (GstCaps *caps, const CodecInfo &c, bool stop)
{
  GstStructure *s = gst_structure_new_empty (c.caps_name);
  if (stop && c.video)
    gst_structure_set (s, "parsed", G_TYPE_BOOLEAN, TRUE, nullptr);
  else if (stop && c.codec == Codec::AAC)
    gst_structure_set (s, "framed", G_TYPE_BOOLEAN, TRUE, nullptr);
  gst_caps_append_structure (caps, s);
}

constexpr Codec TABLE[]
    = { Codec::H264, Codec::H265, Codec::VP8,  Codec::VP9, Codec::AV1,
        Codec::AAC,  Codec::Opus, Codec::PCMU, Codec::PCMA };

/* Off the output: the unit is kept as the store says. e.lock held. */
void
keep_held (EncodedBranch &e, int stream, HeldUnit &u)
{
  if (!e.store)
    e.store.emplace (encoded_gop_config (), stream == VIDEO);
  failover::EncodedUnit eu;
  eu.keyframe = !GST_BUFFER_FLAG_IS_SET (u.buf, GST_BUFFER_FLAG_DELTA_UNIT);
  eu.pts = from_ns (u.out);
  eu.bytes = gst_buffer_get_size (u.buf);
  GopStore::Step s = e.store->on_unit (eu);
  for (std::size_t i = 0; i < s.drop_front && !e.kept.empty (); i++) {
    release (e.kept.front ());
    e.kept.pop_front ();
  }
  if (s.keep)
    e.kept.push_back (u);
  else
    release (u);
}

/* On the output: one unit out, shifted by the cut's delay. e.lock held.
 * Returns the caps of a refused unit (a codec the output does not carry),
 * for the caller to report once no lock is held, else nullptr. */
GstCaps *
send (Branch *b, HeldUnit &u)
{
  CandidateRun *run = b->run;
  bool ok = push_encoded (run->self, b->stream, u.buf, u.out + b->enc.delay,
                          run->id, run->index, u.caps);
  u.buf = nullptr;
  GstCaps *refused = ok ? nullptr : std::exchange (u.caps, nullptr);
  release (u);
  return refused;
}

/* No lock held: the run fails for a codec the output cannot carry (the
 * policy's WARNING and failoversrc-candidate-failed name both codecs). */
void
refuse (Branch *b, GstCaps *caps)
{
  if (!caps)
    return;
  CandidateRun *run = b->run;
  report_failure (run->self, run->id, run->index, FailureReason::Error, false,
                  codec_refusal (run->self, b->stream, caps),
                  running_now (run->self));
  gst_caps_unref (caps);
}

/* Audio branch, its lock held: an on-air audio unit goes out, is held
 * until its video's cut time is known, or is dropped before the cut
 * (CommonCut). Held audio spans at most the cut's max_delay (a video that
 * never brings a keyframe does not hold audio without bound). Returns the
 * caps of a refused unit, else nullptr. */
GstCaps *
audio_at_cut (Branch *b, HeldUnit &u)
{
  EncodedBranch &e = b->enc;
  switch (e.cut.on_audio (from_ns (u.out))) {
  case CommonCut::Audio::Send:
    return send (b, u);
  case CommonCut::Audio::Hold:
    if (b->run->no_more_pads.load () && !b->run->has_stream[VIDEO].load ()) {
      /* Learnt after the cut: the candidate has no video, so no keyframe
       * will set the cut time. Its audio goes on air from now on; what
       * was held for the video is stale by now. */
      e.cut = CommonCut{};
      release_all (e.held);
      return send (b, u);
    }
    e.held.push_back (u);
    while (e.held.size () > 1
           && e.held.back ().out - e.held.front ().out
                  > (GstClockTime)to_ns (ENCODED_CUT.max_delay)) {
      release (e.held.front ());
      e.held.pop_front ();
    }
    return nullptr;
  case CommonCut::Audio::Drop:
    break;
  }
  release (u);
  return nullptr;
}

/* Video branch's lock held, after its on-air unit at `out` was sent
 * (`sent`: a keyframe that ended the wait) or dropped waiting: the audio
 * branch's common cut learns of it; at the cut the held audio from the
 * keyframe on follows it, the rest is dropped. Returns the caps of a
 * refused audio unit (for the audio branch), else nullptr. */
GstCaps *
video_at_cut (CandidateRun *run, bool sent, GstClockTime out)
{
  Branch &ab = run->branches[AUDIO];
  EncodedBranch &a = ab.enc;
  std::lock_guard<std::mutex> g (a.lock);
  if (!a.on_air || !a.cut.waiting ())
    return nullptr;
  a.cut.on_video (sent, from_ns (out));
  std::deque<HeldUnit> held;
  held.swap (a.held);
  GstCaps *refused = nullptr;
  for (auto &u : held) {
    if (refused)
      release (u);
    else
      refused = audio_at_cut (&ab, u);
  }
  return refused;
}

} // namespace

EncodedBranch::~EncodedBranch ()
{
  release_all (kept);
  release_all (replay);
  release_all (held);
}

void
EncodedBranch::clear_kept ()
{
  release_all (kept);
  if (store)
    store->clear ();
}

GstCaps *
encoded_stop_caps ()
{
  GstCaps *caps = gst_caps_new_empty ();
  for (Codec c : TABLE)
    append_codec_caps (caps, codec_info (c), true);
  return caps;
}

GstCaps *
output_template_caps (int stream)
{
  GstCaps *caps = gst_caps_new_empty_simple (stream == VIDEO ? "video/x-raw"
                                                             : "audio/x-raw");
  for (Codec c : TABLE)
    if (codec_info (c).video == (stream == VIDEO))
      append_codec_caps (caps, codec_info (c), false);
  return caps;
}

void
deliver_encoded (Branch *b, GstSample *sample, GstClockTime out,
                 GstClockTime rt)
{
  CandidateRun *run = b->run;
  HeldUnit u;
  u.buf = gst_buffer_ref (gst_sample_get_buffer (sample));
  if (GstCaps *caps = gst_sample_get_caps (sample))
    u.caps = gst_caps_ref (caps);
  u.out = out;
  u.running_time = rt;
  gst_sample_unref (sample);
  GstCaps *refused = nullptr, *audio_refused = nullptr;
  {
    EncodedBranch &e = b->enc;
    std::lock_guard<std::mutex> g (e.lock);
    if (run->stopping.load ()) {
      release (u);
    } else if (!e.on_air) {
      /* A backup in a codec the output cannot carry is refused now, not at
       * the switch. */
      if (!encoded_caps_fit (run->self, b->stream, u.caps)) {
        refused = std::exchange (u.caps, nullptr);
        release (u);
      } else {
        keep_held (e, b->stream, u);
      }
    } else if (b->stream == VIDEO) {
      const bool key
          = !GST_BUFFER_FLAG_IS_SET (u.buf, GST_BUFFER_FLAG_DELTA_UNIT);
      const bool waited = e.wait.waiting ();
      const bool sent = e.wait.admit (key);
      const GstClockTime out = u.out;
      if (sent)
        refused = send (b, u);
      else
        release (u);
      /* The cut's keyframe is out first, then the audio it releases. */
      if (waited && !refused)
        audio_refused = video_at_cut (run, sent, out);
    } else {
      refused = audio_at_cut (b, u);
    }
  }
  refuse (b, refused);
  refuse (&run->branches[AUDIO], audio_refused);
}

void
encoded_unit_skipped (Branch *b)
{
  if (b->stream != VIDEO)
    return;
  std::lock_guard<std::mutex> g (b->enc.lock);
  b->enc.clear_kept ();
  b->enc.wait.arm ();
}

bool
encoded_on_air (Branch *b)
{
  std::lock_guard<std::mutex> g (b->enc.lock);
  return b->enc.on_air;
}

GstClockTime
encoded_delay (Branch *b)
{
  std::lock_guard<std::mutex> g (b->enc.lock);
  return b->enc.on_air ? b->enc.delay : 0;
}

namespace {

/* Where the output has got to (the later of its streams' ends). */
std::optional<TimePoint>
output_end (GstFailoverSrc *self)
{
  std::optional<TimePoint> end;
  for (auto &o : self->priv->output.out) {
    std::lock_guard<std::mutex> g (o.lock);
    auto e = o.timeline.last_end ();
    if (e && (!end || *e > *end))
      end = e;
  }
  return end;
}

/* e.lock held: the kept units' output times by their own spacing
 * (respaced, encoded_cut.h). */
void
respace_kept (EncodedBranch &e)
{
  std::vector<KeptTime> times;
  for (auto &u : e.kept)
    times.push_back ({ from_ns (u.out), from_ns (u.running_time) });
  std::vector<TimePoint> outs = respaced (times);
  for (std::size_t i = 0; i < outs.size (); i++)
    e.kept[i].out = to_ns (outs[i]);
}

/* Both branches' locks held (video's first): the branches go on the
 * output and their replays go out now, video and audio interleaved by
 * time (a muxer downstream takes what is due in order), ahead of the clock
 * by up to the delay; the live units follow, paced to their shifted
 * times. Returns the caps of a refused unit (its stream in
 * `refused_stream`): the rest is not sent. */
GstCaps *
go_on_air (Branch (&b)[2], GstClockTime delay, int &refused_stream)
{
  for (Branch &br : b) {
    br.enc.clear_kept ();
    br.enc.delay = delay;
    br.enc.on_air = true;
  }
  auto &v = b[VIDEO].enc.replay, &a = b[AUDIO].enc.replay;
  while (!v.empty () || !a.empty ()) {
    const bool video
        = !v.empty () && (a.empty () || v.front ().out <= a.front ().out);
    auto &q = video ? v : a;
    HeldUnit r = q.front ();
    q.pop_front ();
    if (GstCaps *caps = send (&b[video ? VIDEO : AUDIO], r)) {
      refused_stream = video ? VIDEO : AUDIO;
      return caps;
    }
  }
  return nullptr;
}

/* The new source's cut: its kept units go out now, or its video waits for
 * the next keyframe. */
void
cut_into (GstFailoverSrc *self, CandidateRun &run)
{
  std::optional<TimePoint> end = output_end (self);
  const TimePoint now = tp (running_now (self));
  /* From filler: its audio reaches the cut point first (encodedfiller.h). */
  encoded_filler_close (self, to_ns (end && *end > now ? *end : now));
  end = output_end (self);
  EncodedBranch &v = run.branches[VIDEO].enc, &a = run.branches[AUDIO].enc;
  std::unique_lock<std::mutex> gv (v.lock);
  std::unique_lock<std::mutex> ga (a.lock);
  respace_kept (v);
  respace_kept (a);
  std::vector<TimePoint> outs;
  for (auto &u : v.kept)
    outs.push_back (from_ns (u.out));
  CutPlan plan = plan_cut (outs, end, now, ENCODED_CUT);
  release_all (v.replay);
  release_all (a.replay);
  release_all (a.held);
  if (plan.from_kept) {
    v.replay.swap (v.kept);
    v.wait.satisfy ();
    /* Audio from the keyframe's time on (the replay's and the live). */
    a.cut.open_at (*plan.keyframe_out);
    for (auto &u : a.kept)
      if (from_ns (u.out) >= *plan.keyframe_out)
        std::swap (a.replay.emplace_back (), u);
  } else {
    v.wait.arm ();
    /* Audio waits for the video's keyframe (none to wait for without
     * video). */
    if (run.no_more_pads.load () && !run.has_stream[VIDEO].load ())
      a.cut = CommonCut{};
    else
      a.cut.wait ();
  }
  int refused_stream = VIDEO;
  GstCaps *refused
      = go_on_air (run.branches, to_ns (plan.delay), refused_stream);
  ga.unlock ();
  gv.unlock ();
  if (plan.from_kept) {
    /* The replay is placed with the run's offset as it is now: the units
     * after it follow at the same one (output_timeline.h). */
    std::lock_guard<std::mutex> g (run.timeline_lock);
    run.timeline.end_settle ();
  }
  refuse (&run.branches[refused_stream], refused);
  GST_INFO_OBJECT (
      self, "candidate %d: encoded cut %s, delay %" G_GINT64_FORMAT " ms",
      run.index,
      plan.from_kept ? "from its kept keyframe" : "at its next keyframe",
      (gint64)to_ms (plan.delay));
}

} // namespace

void
prepare_encoded_cut (GstFailoverSrc *self, std::uint64_t source)
{
  auto *priv = self->priv;
  g_return_if_fail (priv->loop.on_loop_thread ());
  std::vector<std::shared_ptr<CandidateRun>> runs;
  {
    std::lock_guard<std::mutex> g (priv->state_lock);
    for (auto &kv : priv->runs)
      if (kv.second->encoded)
        runs.push_back (kv.second);
  }
  /* The old source stops first, so nothing of it follows the cut. */
  for (auto &run : runs) {
    if (run->id == source)
      continue;
    for (Branch &b : run->branches) {
      std::lock_guard<std::mutex> g (b.enc.lock);
      b.enc.on_air = false;
      b.enc.delay = 0;
      release_all (b.enc.replay);
      release_all (b.enc.held);
      b.enc.cut = CommonCut{};
    }
  }
  for (auto &run : runs)
    if (run->id == source && !run->stopping.load ())
      cut_into (self, *run);
}

} // namespace resilient::gst::failoversrc
