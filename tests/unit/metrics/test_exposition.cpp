/* Naming rules of docs/metrics.md (statistics field -> Prometheus metric)
 * and the text exposition format. */
#include <gtest/gtest.h>

#include "resilient/metrics/exposition.h"

using namespace resilient::metrics;

namespace {

Field
num (const std::string &name, Field::Kind kind, double v)
{
  Field f;
  f.name = name;
  f.kind = kind;
  f.number = v;
  return f;
}

Field
str (const std::string &name, const std::string &v)
{
  Field f;
  f.name = name;
  f.kind = Field::Kind::String;
  f.text = v;
  return f;
}

std::string
hide_token (const std::string &s)
{
  auto p = s.find ("token=");
  return p == std::string::npos ? s : s.substr (0, p) + "token=***";
}

} // namespace

TEST (MetricsNaming, CountersGetTotalAndLoseNumPrefix)
{
  auto s
      = spec_for ("resilient_failoversrc_", "num-switches", Field::Kind::Uint);
  EXPECT_EQ (s.name, "resilient_failoversrc_switches_total");
  EXPECT_TRUE (s.counter);
  s = spec_for ("resilient_autorestoresink_", "restores", Field::Kind::Uint);
  EXPECT_EQ (s.name, "resilient_autorestoresink_restores_total");
  EXPECT_TRUE (s.counter);
}

TEST (MetricsNaming, MillisecondsBecomeSeconds)
{
  auto s = spec_for ("p_", "time-on-backup-ms", Field::Kind::Uint);
  EXPECT_EQ (s.name, "p_time_on_backup_seconds_total");
  EXPECT_TRUE (s.counter);
  EXPECT_DOUBLE_EQ (s.scale, 0.001);
  s = spec_for ("p_", "last-gap-ms", Field::Kind::Uint);
  EXPECT_EQ (s.name, "p_last_gap_seconds");
  EXPECT_FALSE (s.counter);
  s = spec_for ("p_", "rtt-ms", Field::Kind::Double);
  EXPECT_EQ (s.name, "p_rtt_seconds");
  EXPECT_TRUE (s.negative_is_unknown);
}

TEST (MetricsNaming, BytesAndBitrates)
{
  auto s = spec_for ("p_", "bytes-out", Field::Kind::Uint);
  EXPECT_EQ (s.name, "p_out_bytes_total");
  s = spec_for ("p_", "bitrate-kbps", Field::Kind::Uint);
  EXPECT_EQ (s.name, "p_bitrate_bits_per_second");
  EXPECT_FALSE (s.counter);
  EXPECT_DOUBLE_EQ (s.scale, 1000);
  s = spec_for ("p_", "recording-max-size-bytes", Field::Kind::Uint);
  /* A size is a level: gauge. */
  EXPECT_EQ (s.name, "p_recording_max_size_bytes");
  EXPECT_FALSE (s.counter);
}

TEST (MetricsNaming, LevelsAndSignedValuesAreGauges)
{
  EXPECT_FALSE (spec_for ("p_", "held-buffers", Field::Kind::Uint).counter);
  EXPECT_FALSE (spec_for ("p_", "viewers", Field::Kind::Uint).counter);
  EXPECT_FALSE (spec_for ("p_", "active-index", Field::Kind::Int).counter);
  EXPECT_FALSE (spec_for ("p_", "steering-active", Field::Kind::Bool).counter);
  EXPECT_EQ (spec_for ("p_", "zero-bitrate-intervals", Field::Kind::Int).name,
             "p_zero_bitrate_intervals");
}

TEST (MetricsExposition, RendersFamiliesEntriesAndRedactedLabels)
{
  Record stats;
  stats.type = "application/x-failoversrc-stats";
  stats.fields.push_back (num ("num-switches", Field::Kind::Uint, 3));
  stats.fields.push_back (num ("active-index", Field::Kind::Int, -1));
  stats.fields.push_back (num ("last-gap-ms", Field::Kind::Uint, 250));
  stats.fields.push_back (str ("last-reason", "timeout"));
  Field cands;
  cands.name = "candidates";
  cands.kind = Field::Kind::List;
  for (int i = 0; i < 2; i++) {
    Record c;
    c.type = "candidate";
    c.fields.push_back (num ("index", Field::Kind::Int, i));
    c.fields.push_back (
        str ("uri", "rtmp://h/live/" + std::to_string (i) + "?token=SECRET"));
    c.fields.push_back (str ("state", i ? "healthy" : "waiting"));
    c.fields.push_back (num ("bitrate-kbps", Field::Kind::Uint, i * 1500));
    c.fields.push_back (num ("last-buffer-age-ms", Field::Kind::Int, -1));
    cands.list.push_back (c);
  }
  stats.fields.push_back (cands);

  Exposition ex;
  ex.add_statistics ("failoversrc", { { "element", "f" }, { "pipeline", "p" } },
                     stats, hide_token);
  std::string text = ex.render ();

  EXPECT_NE (text.find ("# TYPE resilient_failoversrc_switches_total counter\n"
                        "resilient_failoversrc_switches_total{element=\"f\","
                        "pipeline=\"p\"} 3\n"),
             std::string::npos)
      << text;
  EXPECT_NE (text.find ("resilient_failoversrc_active_index{element=\"f\","
                        "pipeline=\"p\"} -1\n"),
             std::string::npos)
      << text;
  EXPECT_NE (text.find ("resilient_failoversrc_last_gap_seconds{element=\"f\","
                        "pipeline=\"p\"} 0.25\n"),
             std::string::npos)
      << text;
  EXPECT_NE (
      text.find ("resilient_failoversrc_candidate_bitrate_bits_per_second"
                 "{element=\"f\",pipeline=\"p\",index=\"1\",uri=\"rtmp://"
                 "h/live/1?token=***\"} 1500000\n"),
      std::string::npos)
      << text;
  EXPECT_NE (text.find ("resilient_failoversrc_candidate_state{element=\"f\","
                        "pipeline=\"p\",index=\"0\",uri=\"rtmp://h/live/0?"
                        "token=***\",state=\"waiting\"} 1\n"),
             std::string::npos)
      << text;
  /* -1 ms is "unknown": no sample; the free-text reason is no metric. */
  EXPECT_EQ (text.find ("last_buffer_age"), std::string::npos) << text;
  EXPECT_EQ (text.find ("last_reason"), std::string::npos) << text;
  EXPECT_EQ (text.find ("SECRET"), std::string::npos) << text;
  /* Each family once, with its samples together. */
  auto first = text.find ("# TYPE resilient_failoversrc_candidate_state ");
  EXPECT_EQ (
      text.find ("# TYPE resilient_failoversrc_candidate_state ", first + 1),
      std::string::npos);
}

TEST (MetricsExposition, EscapesLabelValuesAndHelp)
{
  EXPECT_EQ (Exposition::escape_label_value ("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ (Exposition::escape_help ("x\\y\nz"), "x\\\\y\\nz");
  EXPECT_EQ (Exposition::format_value (3), "3");
  EXPECT_EQ (Exposition::format_value (0.5), "0.5");
}
