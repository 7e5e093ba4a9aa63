/* resilient-failover-bench: how long the output lacks new content when the
 * primary fails, and what failoversrc's monitoring costs.
 *
 * Gap rows, <mode>-<fault> (each repeated --reps times, fresh pipeline per
 * repetition; a red primary publisher on its own nginx-rtmp, a blue backup
 * on another, both on 127.0.0.1):
 *   modes   hot      failoversrc standby=hot (the backup decoded)
 *           warm     standby=warm (the backup connected and parsed, its
 *                    GOP kept, not decoded)
 *           encoded  mode=encoded standby=hot (no decoding in the element;
 *                    the viewer decodes its H.264 with h264parse !
 *                    avdec_h264)
 *           cold     standby=cold (the backup started on the failure)
 *           naive    what a user scripts today: a player on the primary
 *                    URL; when it ends (EOS / error) a new player is
 *                    started on the backup URL. Done in-process (no
 *                    gst-launch start-up cost), so it is a lower bound for
 *                    a shell restart loop.
 *   faults  kill        the primary's publisher kill -9
 *           serverkill  the primary's server (nginx) kill -9
 *           blackhole   defaults; the primary is played through a
 *                       userspace TCP relay (failover_relay.h) that stops
 *                       forwarding (a network black hole, connection
 *                       kept). naive-blackhole: one repetition (a player
 *                       never ends, the script never switches).
 *   hot-stall   standby=hot, the primary publisher SIGSTOP, defaults
 *   hot-blackhole-fixed  the black hole with stall-tolerance=0 (only the
 *               fixed `timeout`: the behaviour before adaptive stall
 *               detection)
 *   jitter      false switches: hot, warm, cold and encoded side by side
 *               (rows jitter-<mode>), each playing the primary through the
 *               relay with 100 +- 100 ms of in-order delay per chunk and a
 *               400 ms hold every 5-20 s, for --jitter-seconds (default
 *               600); counts the primary's failures and the switches away
 *               from it
 *   naive-stall the naive player against a SIGSTOPped primary: one
 *               repetition, bounded.
 *   start       time to air (rows start-av, start-videoonly): PLAYING to
 *               the first of 5 primary frames, standby=hot, a primary with
 *               audio and video, and one with video only (flvdemux waits
 *               6 s for a second stream unless onMetaData says one).
 *   standby-cpu  process CPU of failoversrc with a primary and a backup of
 *               each --cpu-size, standby=cold (the backup not running),
 *               warm and hot, alternated --cpu-rounds times for
 *               --cpu-seconds each; the backup's cost is each mode's CPU
 *               minus cold's; and mode=encoded with cold standby (one
 *               stream received, parsed and passed through) and hot (two)
 *   cpu         process CPU of a cold-standby failoversrc pipeline vs the
 *               same decode + convert pipeline without it (uridecodebin),
 *               and failoversrc with content health off (no samples),
 *               alternated --cpu-rounds times for --cpu-seconds each, at
 *               each --cpu-size.
 *
 * The gap is measured like a viewer sees it, by an OutputWatcher on an
 * appsink: from the last new frame of the primary (red) to the first frame of
 * the backup (blue). Held or repeated frames are not new content. failoversrc's
 * own `gap-ms` from its switch message is printed beside it. The stall rows
 * also log, per repetition, the primary's learned stall limit just before
 * the fault (statistics), the silence and usual rhythm its failure detail
 * names, the switch's detect-ms, and when the backup was woken (warm), and
 * summarise them in a second table.
 *
 *   resilient-failover-bench [--reps 20] [--cpu-seconds 10] [--cpu-rounds 3]
 *       [--cpu-size 320x240[,1280x720...]]
 *       [--jitter-seconds 600]
 *       [--only ROW,...]   rows: {hot,warm,encoded,cold,naive}-{kill,
 *                          serverkill,blackhole}, hot-stall,
 *                          hot-blackhole-fixed, jitter, naive-stall,
 *                          start, standby-cpu, cpu
 */
#include "failover_relay.h"
#include "fixtures/rig.h"
#include "fixtures/servers.h"
#include "fixtures/watcher.h"

#include <gst/gst.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <thread>

using namespace fixtures;
using namespace std::chrono_literals;

namespace {

constexpr const char *kVideoCaps =
    "video/x-raw,format=I420,width=320,height=240,framerate=30/1";
constexpr const char *kAudioCaps =
    "audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2";

struct Series
{
  std::string name;
  std::vector<double> gaps;      /* measured content gap, ms */
  std::vector<double> reported;  /* failoversrc gap-ms, ms */
  std::vector<double> to_backup; /* fault -> first backup frame, ms */
  /* New backup pictures in its first second on the output (30 at 30 fps;
   * fewer: a frozen, repeated or filler picture after the switch). */
  std::vector<double> settle;
  int failed = 0;                /* repetitions with no switch */
  std::string note;
  /* Stall rows: the primary's learned stall limit just before the fault
   * (statistics), the silence and the usual rhythm its failure detail
   * names, the switch's detect-ms, and (warm) whether the backup was
   * woken before the switch. */
  std::vector<double> limit, silence, rhythm, detect;
  int woken_early = 0;
};

double
median (std::vector<double> v)
{
  if (v.empty ())
    return -1;
  std::sort (v.begin (), v.end ());
  size_t n = v.size ();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
worst (const std::vector<double> &v)
{
  return v.empty () ? -1 : *std::max_element (v.begin (), v.end ());
}

std::string
list (const std::vector<double> &v, int decimals = 0)
{
  std::ostringstream o;
  o.setf (std::ios::fixed);
  o.precision (decimals);
  for (size_t i = 0; i < v.size (); i++)
    o << (i ? " " : "") << v[i];
  return o.str ();
}

void
log (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
void
log (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
}

/* The primary on its own server (so that a server kill takes only the
 * primary), the backup and the CPU rows' publishers on another. */
struct Bed
{
  NginxRtmp primary_server;
  NginxRtmp server;
  Publisher primary {looks::red (), primary_server.rtmp_url ("primary")};
  Publisher backup {looks::blue (), server.rtmp_url ("backup")};
  bench::TcpRelay relay {primary_server.rtmp_port ()};
  Bed ()
  {
    primary_server.wait_for_publish ("primary", 10s);
    server.wait_for_publish ("backup", 10s);
  }
  /* A fresh primary publisher, connected (its server started again after
   * a server kill). */
  void renew_primary ()
  {
    primary_server.start ();
    size_t n = primary_server.publish_count ("primary");
    primary.terminate ();
    primary.start ();
    primary_server.wait_for_publish ("primary", 10s, n);
  }
  std::string uris () const
  {
    return primary.url () + " | " + backup.url ();
  }
  /* The primary's URL through the relay. */
  std::string relayed_primary () const
  {
    std::string u = primary.url ();
    std::string from = ":" + std::to_string (primary_server.rtmp_port ())
        + "/";
    u.replace (u.find (from), from.size (),
        ":" + std::to_string (relay.port ()) + "/");
    return u;
  }
  /* The primary played through the relay. */
  std::string relayed_uris () const
  {
    return relayed_primary () + " | " + backup.url ();
  }
};

guint
default_timeout_ms ()
{
  GstElement *e = gst_element_factory_make ("failoversrc", nullptr);
  if (!e)
    return 0;
  GParamSpec *p = g_object_class_find_property (G_OBJECT_GET_CLASS (e),
      "timeout");
  guint v = p && G_IS_PARAM_SPEC_UINT (p) ? G_PARAM_SPEC_UINT (p)->default_value
      : 0;
  gst_object_unref (e);
  return v;
}

enum class Fault { Kill, ServerKill, Stop, BlackHole };

void
inject (Bed &bed, Fault f)
{
  if (f == Fault::Stop)
    bed.primary.stop ();
  else if (f == Fault::BlackHole)
    bed.relay.set_black_hole (true);
  else if (f == Fault::ServerKill)
    bed.primary_server.kill9 ();
  else
    bed.primary.kill9 ();
}

void
undo (Bed &bed, Fault f)
{
  if (f == Fault::Stop)
    bed.primary.cont ();
  if (f == Fault::BlackHole) {
    bed.relay.set_black_hole (false);
    bed.relay.drop_all ();
  }
}

/* candidates[0].stall-limit-ms of a statistics string (-1: none). */
long
primary_stall_limit (const std::string &stats)
{
  auto at = stats.find ("stall-limit-ms");
  if (at == std::string::npos)
    return -1;
  at = stats.find (')', at);
  return at == std::string::npos ? -1 : atol (stats.c_str () + at + 1);
}

/* A stall repetition's parts: what the primary had learned, what its
 * failure said, when the backup was woken. */
void
log_stall_parts (Series &s, SourceRig &rig, int rep, Clock::time_point t,
    long limit_before, const std::optional<BusRecorder::Entry> &sw)
{
  auto failed = rig.bus ().wait_for ("failoversrc-candidate-failed", ms (0),
      [&] (const BusRecorder::Entry &e) {
        return e.wall >= t && e.get_int ("index") == 0;
      });
  auto woken = rig.bus ().wait_for ("failoversrc-backup-wake", ms (0),
      [&] (const BusRecorder::Entry &e) {
        return e.wall >= t && e.get_bool ("awake");
      });
  int silence = -1, rhythm = -1;
  std::string detail = failed ? failed->get_string ("detail") : "";
  sscanf (detail.c_str (),
      "no data for %d ms, against a usual delivery rhythm of %d ms",
      &silence, &rhythm);
  if (limit_before >= 0)
    s.limit.push_back (limit_before);
  if (silence >= 0) {
    s.silence.push_back (silence);
    s.rhythm.push_back (rhythm);
  }
  if (sw)
    s.detect.push_back ((double) sw->get_uint64 ("detect-ms"));
  bool early = woken && failed && woken->wall <= failed->wall;
  s.woken_early += early;
  log ("%s #%d: limit before the fault %ld ms; verdict: %s; detect-ms %s; "
      "backup woken %s", s.name.c_str (), rep, limit_before,
      detail.empty () ? "-" : detail.c_str (),
      sw ? std::to_string (sw->get_uint64 ("detect-ms")).c_str () : "-",
      woken ? (std::to_string ((long) ms_between (t, woken->wall))
          + " ms after the fault" + (early ? ", before the verdict" : ""))
          .c_str () : "no");
}

/* New backup (blue) pictures in the second from `blue` on (waits for it). */
double
new_backup_pictures (SourceRig &rig, Clock::time_point blue)
{
  std::this_thread::sleep_for (1000ms);
  double fresh = 0;
  for (auto &f : rig.video ().frames ())
    fresh += f.cls == "blue" && f.fresh && f.wall >= blue
        && f.wall < blue + 1000ms;
  return fresh;
}

/* BENCH_VERBOSE: the frames from 300 ms before the last new primary frame
 * on, and the bus. */
void
log_frames (SourceRig &rig, Clock::time_point t, guint timeout)
{
  auto frames = rig.video ().frames ();
  Clock::time_point last_new {};
  for (auto &f : frames)
    if (f.cls == "red" && f.fresh && f.wall >= t - 3s)
      last_new = f.wall;
  std::string line;
  for (auto &f : frames) {
    if (f.wall < last_new - 300ms || f.wall > last_new + ms (timeout + 3000))
      continue;
    char b[96];
    snprintf (b, sizeof b, " %+.0f:%s%s", ms_between (last_new, f.wall),
        f.cls.c_str (), f.fresh ? "" : "(held)");
    line += b;
  }
  log ("  fault at %+.0f ms; frames:%s", ms_between (last_new, t),
      line.c_str ());
  log ("%s", rig.bus ().describe ().c_str ());
}

/* One failoversrc rig per mode: `standby` with raw output caps, or
 * mode=encoded (the viewer decodes). */
std::unique_ptr<SourceRig>
make_rig (const std::string &uris, const std::string &standby, bool encoded)
{
  auto rig = std::make_unique<SourceRig> ("failoversrc", encoded
      ? "h264parse ! avdec_h264 ! videoconvert ! videoscale"
      : "videoconvert ! videoscale");
  rig->set ("uris", uris);
  rig->set ("standby", standby);
  if (encoded)
    rig->set ("mode", "encoded");
  else {
    rig->set ("video-caps", kVideoCaps);
    rig->set ("audio-caps", kAudioCaps);
  }
  return rig;
}

Series
run_failoversrc (Bed &bed, const std::string &name, const std::string &standby,
    Fault fault, int reps,
    const std::vector<std::pair<std::string, std::string>> &extra = {})
{
  Series s;
  s.name = name;
  bool stall = fault == Fault::Stop || fault == Fault::BlackHole;
  guint timeout = default_timeout_ms ();
  /* mode=encoded: the viewer decodes; raw output caps do not apply. */
  const bool encoded = std::count (extra.begin (), extra.end (),
      std::pair<std::string, std::string> ("mode", "encoded"));
  for (int rep = 0; rep < reps; rep++) {
    bed.renew_primary ();
    auto owned = make_rig (fault == Fault::BlackHole ? bed.relayed_uris ()
        : bed.uris (), standby, encoded);
    SourceRig &rig = *owned;
    for (auto &kv : extra)
      rig.set (kv.first, kv.second);
    /* No failback during a repetition. */
    rig.set ("failback-holdoff", "600000");
    rig.play ();
    if (!rig.video ().wait_for_class ("red", 20s, 5)) {
      log ("%s #%d: primary never on the output", name.c_str (), rep);
      s.failed++;
      continue;
    }
    /* Let hot standby connect and decode the backup. */
    std::this_thread::sleep_for (2000ms);
    long limit_before = stall
        ? primary_stall_limit (rig.structure_string ("statistics")) : -1;
    auto t = Clock::now ();
    inject (bed, fault);
    bool switched = rig.video ().wait_for_class ("blue",
        ms (timeout + 10000), 3, t);
    auto gap = rig.video ().switch_gap_ms ("red", "blue", t - 3s);
    auto sw = rig.bus ().wait_for ("failoversrc-switch", 2000ms,
        [&] (const BusRecorder::Entry &e) {
          return e.wall >= t && e.get_int ("to-index") == 1;
        });
    if (!switched || !gap) {
      log ("%s #%d: no switch to the backup%s", name.c_str (), rep,
          rig.describe ().c_str ());
      s.failed++;
    } else {
      s.gaps.push_back (*gap);
      auto blue = *rig.video ().first_run_of ("blue", t, 3);
      s.to_backup.push_back (ms_between (t, blue));
      s.settle.push_back (new_backup_pictures (rig, blue));
      if (sw)
        s.reported.push_back ((double) sw->get_uint64 ("gap-ms"));
      log ("%s #%d: gap %.0f ms (failoversrc gap-ms %s)", name.c_str (), rep,
          *gap, sw ? std::to_string (sw->get_uint64 ("gap-ms")).c_str ()
          : "-");
      if (stall)
        log_stall_parts (s, rig, rep, t, limit_before, sw);
      if (getenv ("BENCH_VERBOSE"))
        log_frames (rig, t, timeout);
    }
    rig.stop ();
    undo (bed, fault);
  }
  if (stall)
    s.note = "timeout " + std::to_string (timeout) + " ms (default)";
  for (auto &kv : extra)
    s.note += (s.note.empty () ? "" : ", ") + kv.first + "=" + kv.second;
  return s;
}

/* False switches on a jittery but healthy path: `seconds` of the primary
 * through the relay's jitter and holds, one failoversrc per mode (hot,
 * warm, cold, encoded) side by side, each on its own relayed connection.
 * The rows' gaps are empty; the notes carry the counts. */
std::vector<Series>
run_jitter (Bed &bed, int seconds)
{
  struct Mode
  {
    const char *name, *standby;
    bool encoded;
  };
  const Mode modes[] = { { "jitter-hot", "hot", false },
    { "jitter-warm", "warm", false }, { "jitter-cold", "cold", false },
    { "jitter-encoded", "hot", true } };
  std::vector<Series> out;
  bed.renew_primary ();
  bed.relay.drop_all ();
  bed.relay.set_jitter (100ms);
  bed.relay.set_holds (400ms);
  int holds0 = bed.relay.holds ();
  std::vector<std::unique_ptr<SourceRig>> rigs;
  for (auto &m : modes) {
    rigs.push_back (make_rig (bed.relayed_uris (), m.standby, m.encoded));
    rigs.back ()->play ();
  }
  for (size_t i = 0; i < rigs.size (); i++) {
    out.emplace_back ();
    out.back ().name = modes[i].name;
    if (!rigs[i]->video ().wait_for_class ("red", 20s, 5)) {
      log ("%s: primary never on the output", modes[i].name);
      out.back ().failed++;
    }
  }
  auto t0 = Clock::now ();
  std::this_thread::sleep_for (std::chrono::seconds (seconds));
  auto from0 = [&] (const BusRecorder::Entry &e) {
    return e.wall >= t0 && e.get_int ("from-index") == 0;
  };
  auto idx0 = [&] (const BusRecorder::Entry &e) {
    return e.wall >= t0 && e.get_int ("index") == 0;
  };
  const int holds = bed.relay.holds () - holds0;
  for (size_t i = 0; i < rigs.size (); i++) {
    SourceRig &rig = *rigs[i];
    int switches = 0, failures = 0;
    for (auto &e : rig.bus ().entries ("failoversrc-switch"))
      switches += from0 (e);
    for (auto &e : rig.bus ().entries ("failoversrc-candidate-failed")) {
      failures += idx0 (e);
      if (idx0 (e))
        log ("%s: %s", modes[i].name, e.to_string ().c_str ());
    }
    log ("%s: statistics at the end: %s", modes[i].name,
        rig.structure_string ("statistics").c_str ());
    out[i].note = std::to_string (seconds) + " s, "
        + std::to_string (holds) + " holds of 400 ms over the "
        + std::to_string (rigs.size ()) + " connections, "
        + std::to_string (switches) + " switches away from the primary, "
        + std::to_string (failures) + " primary failures";
  }
  for (auto &r : rigs)
    r->stop ();
  bed.relay.set_jitter (0ms);
  bed.relay.set_holds (0ms);
  bed.relay.drop_all ();
  return out;
}

/* Time to air: from PLAYING to the primary's first frame on the output
 * (the first of 5 red frames), failoversrc standby=hot, for a primary
 * with audio and video and one with video only (flvdemux's 6 s wait for
 * a second stream, cut short by the stream's onMetaData; lone_stream.h).
 * Rows start-av and start-videoonly; `gaps` hold the times. */
std::vector<Series>
run_start (Bed &bed, int reps)
{
  Publisher::Options mute;
  mute.audio = false;
  Publisher silent (looks::red (), bed.server.rtmp_url ("videoonly"), mute);
  bed.server.wait_for_publish ("videoonly", 10s);
  std::vector<Series> out (2);
  out[0].name = "start-av";
  out[1].name = "start-videoonly";
  /* The time to air includes the wait for the server's next keyframe (a
   * 1 s GOP). Started one after the other, each start would fall at the
   * same point of the other publisher's GOP (the run before ends just
   * after a keyframe of its own): one row would always wait about the
   * same part of a GOP longer than the other. A random pause of up to a
   * GOP before each start samples the keyframe's phase evenly for both
   * rows. */
  std::mt19937 rng (std::random_device{}());
  std::uniform_int_distribution<int> phase_ms (0, 999);
  for (int rep = 0; rep < reps; rep++)
    for (int i = 0; i < 2; i++) {
      auto rig = make_rig ((i ? silent.url () : bed.primary.url ()) + " | "
          + bed.backup.url (), "hot", false);
      std::this_thread::sleep_for (std::chrono::milliseconds (phase_ms (rng)));
      auto t = Clock::now ();
      rig->play ();
      if (!rig->video ().wait_for_class ("red", 20s, 5)) {
        log ("%s #%d: primary never on the output", out[i].name.c_str (),
            rep);
        out[i].failed++;
      } else {
        auto first = rig->video ().first_run_of ("red", t, 5);
        out[i].gaps.push_back (ms_between (t, *first));
        log ("%s #%d: %.0f ms", out[i].name.c_str (), rep,
            out[i].gaps.back ());
      }
      rig->stop ();
    }
  for (auto &s : out)
    s.note = "time to air (PLAYING to the first primary frame), not a gap";
  return out;
}

/* The script a user writes today: play the primary; when that player ends,
 * start one on the backup. */
Series
run_naive (Bed &bed, const std::string &name, Fault fault, int reps)
{
  Series s;
  s.name = name;
  const bool stall = fault == Fault::Stop || fault == Fault::BlackHole;
  for (int rep = 0; rep < reps; rep++) {
    bed.renew_primary ();
    OutputWatcher w;
    std::string primary = bed.primary.url ();
    if (fault == Fault::BlackHole)
      primary = bed.relayed_primary ();
    auto first = std::make_unique<Player> (primary, w);
    first->play ();
    if (!w.wait_for_class ("red", 20s, 5)) {
      log ("%s #%d: primary never played", s.name.c_str (), rep);
      s.failed++;
      continue;
    }
    std::this_thread::sleep_for (2000ms);
    auto t = Clock::now ();
    inject (bed, fault);
    auto is_end = [&] (const BusRecorder::Entry &e) { return e.wall >= t; };
    bool ended = false;
    auto deadline = Clock::now () + (stall ? 8s : 15s);
    while (!ended && Clock::now () < deadline) {
      ended = first->bus ().wait_for ("eos", 10ms, is_end)
          || first->bus ().wait_for ("error", 10ms, is_end);
    }
    if (!ended) {
      log ("%s #%d: the player never ended: a script would never switch",
          s.name.c_str (), rep);
      s.failed++;
      if (stall) {
        s.note = "no EOS or error within 8 s: never switches";
        undo (bed, fault);
      }
      continue;
    }
    first->stop ();
    Player second (bed.backup.url (), w);
    second.play ();
    bool switched = w.wait_for_class ("blue", 15s, 3, t);
    auto gap = w.switch_gap_ms ("red", "blue", t - 3s);
    if (!switched || !gap) {
      log ("%s #%d: backup never played", s.name.c_str (), rep);
      s.failed++;
    } else {
      s.gaps.push_back (*gap);
      s.to_backup.push_back (ms_between (t, *w.first_run_of ("blue", t, 3)));
      log ("%s #%d: gap %.0f ms", s.name.c_str (), rep, *gap);
    }
    second.stop ();
    first.reset ();
  }
  return s;
}

double
cpu_seconds ()
{
  rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec
      + ru.ru_stime.tv_usec / 1e6;
}

/* CPU use (percent of one core) of one pipeline over `seconds`, after it has
 * delivered its first frames. */
double
measure_cpu (const std::string &desc,
    const std::vector<std::pair<std::string, std::string>> &props, int seconds)
{
  GError *err = nullptr;
  GstElement *p = gst_parse_launch (desc.c_str (), &err);
  if (!p || err) {
    log ("cpu pipeline: %s", err ? err->message : "?");
    g_clear_error (&err);
    return -1;
  }
  if (!props.empty ()) {
    GstElement *f = gst_bin_get_by_name (GST_BIN (p), "f");
    for (auto &[k, v] : props)
      gst_util_set_object_arg (G_OBJECT (f), k.c_str (), v.c_str ());
    gst_object_unref (f);
  }
  std::atomic<size_t> count {0};
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "vsink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER,
      [] (GstPad *, GstPadProbeInfo *, gpointer ud) -> GstPadProbeReturn {
        (*static_cast<std::atomic<size_t> *> (ud))++;
        return GST_PAD_PROBE_OK;
      }, &count, nullptr);
  gst_element_set_state (p, GST_STATE_PLAYING);
  double result = -1;
  auto until = Clock::now () + 20s;
  while (count < 30 && Clock::now () < until)
    std::this_thread::sleep_for (50ms);
  if (count >= 30) {
    std::this_thread::sleep_for (1s);
    double c0 = cpu_seconds ();
    auto t0 = Clock::now ();
    size_t f0 = count;
    std::this_thread::sleep_for (std::chrono::seconds (seconds));
    double c1 = cpu_seconds ();
    double wall = ms_between (t0, Clock::now ()) / 1000.0;
    size_t frames = count - f0;
    result = 100.0 * (c1 - c0) / wall;
    log ("cpu: %.1f %% of a core, %zu frames in %.1f s", result, frames, wall);
  } else {
    log ("cpu: no frames");
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (p);
  return result;
}

/* A publisher of the CPU runs' size (and bitrate). */
Publisher::Options
sized (int width, int height)
{
  Publisher::Options po;
  po.width = width;
  po.height = height;
  po.bitrate_kbps = width >= 1280 ? 3000 : 600;
  return po;
}

std::string
raw_video_caps (int width, int height)
{
  return "video/x-raw,format=I420,width=" + std::to_string (width)
      + ",height=" + std::to_string (height) + ",framerate=30/1";
}

/* Process CPU, alternated rounds: plain decode, failoversrc, failoversrc
 * without content health. */
struct CpuRuns
{
  std::vector<double> plain, failover, nocontent;
};

CpuRuns
run_cpu (Bed &bed, int cpu_width, int cpu_height, int cpu_secs,
    int cpu_rounds)
{
  CpuRuns r;
  /* A primary of the measured size, published next to the others. */
  Publisher cpu_pub (looks::green (), bed.server.rtmp_url ("cpu"),
      sized (cpu_width, cpu_height));
  bed.server.wait_for_publish ("cpu", 10s);
  std::string vcaps = raw_video_caps (cpu_width, cpu_height);
  std::string sinks = std::string (" ! fakesink name=vsink sync=true ")
      + "f.audio ! queue ! fakesink sync=true";
  std::string with = "failoversrc name=f f.video ! queue" + sinks;
  std::string plain = "uridecodebin name=d uri=" + cpu_pub.url ()
      + " d. ! queue ! videoconvert ! videoscale ! videorate ! "
      + vcaps + " ! queue ! fakesink name=vsink sync=true "
      "d. ! queue ! audioconvert ! audioresample ! " + kAudioCaps
      + " ! fakesink sync=true";
  std::vector<std::pair<std::string, std::string>> props = {
    {"uris", cpu_pub.url () + " | " + bed.backup.url ()},
    {"standby", "cold"}, {"video-caps", vcaps},
    {"audio-caps", kAudioCaps}};
  for (int round = 0; round < cpu_rounds; round++) {
    r.plain.push_back (measure_cpu (plain, {}, cpu_secs));
    r.failover.push_back (measure_cpu (with, props, cpu_secs));
    /* The same without content health (no luma samples taken). */
    auto off = props;
    off.push_back ({"black-timeout", "0"});
    off.push_back ({"frozen-timeout", "0"});
    r.nocontent.push_back (measure_cpu (with, off, cpu_secs));
  }
  return r;
}

/* Process CPU per standby mode with a backup of the measured size:
 * alternated rounds of cold, warm, hot. */
struct StandbyCpu
{
  std::vector<double> cold, warm, hot, floor, enc_cold, enc_hot;
  int width = 0, height = 0, rounds = 0, secs = 0;
};

StandbyCpu
run_standby_cpu (Bed &bed, int cpu_width, int cpu_height, int cpu_secs,
    int cpu_rounds)
{
  StandbyCpu r;
  r.width = cpu_width;
  r.height = cpu_height;
  r.rounds = cpu_rounds;
  r.secs = cpu_secs;
  Publisher main_pub (looks::green (), bed.server.rtmp_url ("cpu-a"),
      sized (cpu_width, cpu_height));
  Publisher backup_pub (looks::blue (), bed.server.rtmp_url ("cpu-b"),
      sized (cpu_width, cpu_height));
  bed.server.wait_for_publish ("cpu-a", 10s);
  bed.server.wait_for_publish ("cpu-b", 10s);
  std::string vcaps = raw_video_caps (cpu_width, cpu_height);
  std::string with = "failoversrc name=f f.video ! queue ! fakesink "
      "name=vsink sync=true f.audio ! queue ! fakesink sync=true";
  auto props = [&] (const char *standby) {
    return std::vector<std::pair<std::string, std::string>> {
      {"uris", main_pub.url () + " | " + backup_pub.url ()},
      {"standby", standby}, {"video-caps", vcaps},
      {"audio-caps", kAudioCaps}};
  };
  /* Cold plus a bare receive-demux-parse player of the backup: what any
   * connected, demuxed and parsed backup costs (warm's floor). */
  std::string floor = with + " rtmp2src location=" + backup_pub.url ()
      + " ! flvdemux name=dm dm.video ! queue ! h264parse ! fakesink "
      "sync=false dm.audio ! queue ! aacparse ! fakesink sync=false";
  for (int round = 0; round < cpu_rounds; round++) {
    r.cold.push_back (measure_cpu (with, props ("cold"), cpu_secs));
    r.warm.push_back (measure_cpu (with, props ("warm"), cpu_secs));
    r.hot.push_back (measure_cpu (with, props ("hot"), cpu_secs));
    r.floor.push_back (measure_cpu (floor, props ("cold"), cpu_secs));
    /* mode=encoded: no decoding, no conversion, no video-caps. */
    for (const char *standby : { "cold", "hot" }) {
      auto enc = props (standby);
      enc.resize (2);
      enc.push_back ({"mode", "encoded"});
      (standby[0] == 'c' ? r.enc_cold : r.enc_hot).push_back (
          measure_cpu (with, enc, cpu_secs));
    }
  }
  return r;
}

void
print_standby_cpu (const StandbyCpu &c)
{
  double cold = median (c.cold), warm = median (c.warm), hot = median (c.hot);
  printf ("\nCPU per standby mode, primary and backup %dx%d at 30 fps, "
      "percent of one core (median of %d rounds of %d s):\n\n", c.width,
      c.height, c.rounds, c.secs);
  printf ("| standby | runs | median | the backup's cost (minus cold) |\n"
      "|---|---|---|---|\n");
  printf ("| cold (backup not running) | %s | %.1f | - |\n",
      list (c.cold, 1).c_str (), cold);
  printf ("| warm | %s | %.1f | %.1f |\n", list (c.warm, 1).c_str (), warm,
      warm - cold);
  printf ("| hot | %s | %.1f | %.1f |\n", list (c.hot, 1).c_str (), hot,
      hot - cold);
  printf ("| cold + a bare rtmp2src ! flvdemux ! parse ! fakesink of the "
      "backup (warm's floor) | %s | %.1f | %.1f |\n",
      list (c.floor, 1).c_str (), median (c.floor), median (c.floor) - cold);
  printf ("| mode=encoded, cold (one stream received, parsed, passed on) | "
      "%s | %.1f | - |\n", list (c.enc_cold, 1).c_str (), median (c.enc_cold));
  printf ("| mode=encoded, hot (primary and backup parsed, one passed on) | "
      "%s | %.1f | %.1f |\n", list (c.enc_hot, 1).c_str (),
      median (c.enc_hot), median (c.enc_hot) - median (c.enc_cold));
  if (hot - cold > 0)
    printf ("\nWarm backup / hot backup: %.0f %%\n",
        100.0 * (warm - cold) / (hot - cold));
}

void
print_cpu (const CpuRuns &c, int cpu_width, int cpu_height, int cpu_rounds,
    int cpu_secs)
{
  double cpu_plain = median (c.plain), cpu_failover = median (c.failover);
  printf ("\nCPU, cold standby, %dx%d at 30 fps, percent of one core "
      "(median of %d rounds of %d s):\n\n", cpu_width, cpu_height,
      cpu_rounds, cpu_secs);
  printf ("| pipeline | runs | median |\n|---|---|---|\n");
  printf ("| uridecodebin + convert (no failover) | %s | %.1f |\n",
      list (c.plain, 1).c_str (), cpu_plain);
  printf ("| failoversrc standby=cold | %s | %.1f |\n",
      list (c.failover, 1).c_str (), cpu_failover);
  printf ("| failoversrc standby=cold, black-timeout=0 frozen-timeout=0 "
      "(no content samples) | %s | %.1f |\n", list (c.nocontent,
          1).c_str (), median (c.nocontent));
  printf ("\nOverhead: %+.1f %% of a core (%+.1f %% relative)\n",
      cpu_failover - cpu_plain, 100.0 * (cpu_failover - cpu_plain)
      / cpu_plain);
}

void
print_results (const std::vector<Series> &results)
{
  printf ("| scenario | reps ok | failed | median gap ms | worst gap ms | "
      "fault to backup on air ms, median / worst | "
      "failoversrc gap-ms median / worst | "
      "new backup pictures in its first second, median / fewest | "
      "note |\n");
  printf ("|---|---|---|---|---|---|---|---|---|\n");
  for (auto &s : results) {
    printf ("| %s | %zu | %d | %.0f | %.0f | %.0f / %.0f | %s | %s | %s |\n",
        s.name.c_str (), s.gaps.size (), s.failed, median (s.gaps),
        worst (s.gaps), median (s.to_backup), worst (s.to_backup),
        s.reported.empty () ? "-" : (std::to_string ((long) median (
                    s.reported)) + " / " + std::to_string ((long) worst (
                    s.reported))).c_str (),
        s.settle.empty () ? "-" : (std::to_string ((long) median (
                    s.settle)) + " / " + std::to_string ((long) *std::min_element (
                    s.settle.begin (), s.settle.end ()))).c_str (),
        s.note.c_str ());
  }
  printf ("\nRaw gaps (ms):\n\n");
  for (auto &s : results)
    printf ("- %s: %s\n", s.name.c_str (), list (s.gaps).c_str ());
  bool stalls = std::any_of (results.begin (), results.end (),
      [] (const Series &s) { return !s.limit.empty (); });
  if (!stalls)
    return;
  printf ("\nStall rows, the parts (ms, median / worst): the primary's "
      "learned limit just before the fault; the silence its failure names "
      "(the verdict's moment); the usual rhythm it names; the switch's "
      "detect-ms; the backup woken before the verdict (reps):\n\n");
  printf ("| scenario | limit before | silence at the verdict | rhythm | "
      "detect-ms | woken early |\n|---|---|---|---|---|---|\n");
  auto mw = [] (const std::vector<double> &v) {
    return v.empty () ? std::string ("-")
        : std::to_string ((long) median (v)) + " / "
        + std::to_string ((long) worst (v));
  };
  for (auto &s : results)
    if (!s.limit.empty ())
      printf ("| %s | %s | %s | %s | %s | %d of %zu |\n", s.name.c_str (),
          mw (s.limit).c_str (), mw (s.silence).c_str (),
          mw (s.rhythm).c_str (), mw (s.detect).c_str (), s.woken_early,
          s.gaps.size ());
  printf ("\nPer repetition (limit before / silence / rhythm / gap):\n\n");
  for (auto &s : results)
    if (!s.limit.empty ())
      printf ("- %s: limits %s; silences %s; rhythms %s\n", s.name.c_str (),
          list (s.limit).c_str (), list (s.silence).c_str (),
          list (s.rhythm).c_str ());
}

}  // namespace

/* The gap rows wanted, in the order of the table: per fault, hot, warm,
 * encoded, cold and the restart script. */
void
run_rows (Bed &bed, const std::function<bool (const char *)> &want, int reps,
    int jitter_secs, std::vector<Series> &results)
{
  struct Row
  {
    const char *fault_name;
    Fault fault;
  };
  const Row faults[] = { { "kill", Fault::Kill },
    { "serverkill", Fault::ServerKill }, { "blackhole", Fault::BlackHole } };
  const std::pair<std::string, std::string> encoded { "mode", "encoded" };
  for (const Row &f : faults) {
    auto name = [&] (const char *mode) {
      return std::string (mode) + "-" + f.fault_name;
    };
    for (const char *standby : { "hot", "warm" })
      if (want (name (standby).c_str ()))
        results.push_back (run_failoversrc (bed, name (standby), standby,
                f.fault, reps));
    if (want (name ("encoded").c_str ()))
      results.push_back (run_failoversrc (bed, name ("encoded"), "hot",
              f.fault, reps, { encoded }));
    if (want (name ("cold").c_str ()))
      results.push_back (run_failoversrc (bed, name ("cold"), "cold",
              f.fault, reps));
    /* The script never switches on a black hole: one repetition. */
    if (want (name ("naive").c_str ()))
      results.push_back (run_naive (bed, name ("naive"), f.fault,
              f.fault == Fault::BlackHole ? 1 : reps));
  }
  if (want ("hot-stall"))
    results.push_back (run_failoversrc (bed, "hot-stall", "hot",
            Fault::Stop, reps));
  if (want ("hot-blackhole-fixed"))
    results.push_back (run_failoversrc (bed, "hot-blackhole-fixed", "hot",
            Fault::BlackHole, reps, {{"stall-tolerance", "0"}}));
  if (want ("jitter"))
    for (auto &s : run_jitter (bed, jitter_secs))
      results.push_back (s);
  if (want ("naive-stall"))
    results.push_back (run_naive (bed, "naive-stall", Fault::Stop, 1));
  if (want ("start"))
    for (auto &s : run_start (bed, reps))
      results.push_back (s);
}

int
main (int argc, char **argv)
{
  int reps = 20, cpu_secs = 10, cpu_rounds = 3, jitter_secs = 600;
  std::vector<std::pair<int, int>> cpu_sizes;
  std::set<std::string> only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp (argv[i], "--reps"))
      reps = atoi (argv[i + 1]);
    else if (!strcmp (argv[i], "--cpu-seconds"))
      cpu_secs = atoi (argv[i + 1]);
    else if (!strcmp (argv[i], "--jitter-seconds"))
      jitter_secs = atoi (argv[i + 1]);
    else if (!strcmp (argv[i], "--cpu-rounds"))
      cpu_rounds = atoi (argv[i + 1]);
    else if (!strcmp (argv[i], "--cpu-size")) {
      std::stringstream ss (argv[i + 1]);
      std::string item;
      int w = 0, h = 0;
      while (std::getline (ss, item, ','))
        if (sscanf (item.c_str (), "%dx%d", &w, &h) == 2 && w > 0 && h > 0)
          cpu_sizes.push_back ({ w, h });
    }
    else if (!strcmp (argv[i], "--only")) {
      std::stringstream ss (argv[i + 1]);
      std::string item;
      while (std::getline (ss, item, ','))
        only.insert (item);
    }
  }
  auto want = [&] (const char *n) { return only.empty () || only.count (n); };
  gst_init (&argc, &argv);
  /* Every scenario but the naive player runs failoversrc. */
  bool needs_element = only.empty () || std::any_of (only.begin (),
      only.end (), [] (const std::string &n) { return n.rfind ("naive", 0); });
  if (needs_element && !gst_element_factory_find ("failoversrc")) {
    fprintf (stderr, "failoversrc is not available (GST_PLUGIN_PATH?)\n");
    return 1;
  }

  if (cpu_sizes.empty ())
    cpu_sizes.push_back ({ 320, 240 });

  std::vector<Series> results;
  std::vector<CpuRuns> cpu;
  std::vector<StandbyCpu> standby_cpu;
  try {
    Bed bed;
    run_rows (bed, want, reps, jitter_secs, results);
    for (auto [w, h] : cpu_sizes) {
      if (want ("standby-cpu"))
        standby_cpu.push_back (run_standby_cpu (bed, w, h, cpu_secs,
            cpu_rounds));
      if (want ("cpu"))
        cpu.push_back (run_cpu (bed, w, h, cpu_secs, cpu_rounds));
    }
  } catch (const std::exception &e) {
    fprintf (stderr, "bench failed: %s\n", e.what ());
    return 1;
  }

  print_results (results);
  for (auto &c : standby_cpu)
    print_standby_cpu (c);
  for (size_t i = 0; i < cpu.size (); i++)
    print_cpu (cpu[i], cpu_sizes[i].first, cpu_sizes[i].second, cpu_rounds,
        cpu_secs);
  return 0;
}
