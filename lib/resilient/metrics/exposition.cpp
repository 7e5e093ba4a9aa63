/* gst-resilient: Prometheus text exposition of element statistics.
 * The naming rules are documented in docs/metrics.md; keep both in step.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "resilient/metrics/exposition.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace resilient::metrics {

namespace {

bool
starts_with (std::string_view s, std::string_view p)
{
  return s.substr (0, p.size ()) == p;
}

bool
ends_with (std::string_view s, std::string_view p)
{
  return s.size () >= p.size () && s.substr (s.size () - p.size ()) == p;
}

/* Unsigned fields that are levels, not running counts (rule 5). */
bool
is_gauge_name (std::string_view f)
{
  static constexpr std::array<std::string_view, 4> prefixes
      = { "held-", "current-", "queued-", "active-" };
  static constexpr std::array<std::string_view, 6> suffixes
      = { "viewers", "-port", "-index", "-level", "-size", "-depth" };
  for (auto p : prefixes)
    if (starts_with (f, p))
      return true;
  for (auto s : suffixes)
    if (ends_with (f, s))
      return true;
  return false;
}

/* Removes the `bytes` word from a dash-separated name; true when found. */
bool
take_bytes_word (std::string &f)
{
  std::string padded = "-" + f + "-";
  auto pos = padded.find ("-bytes-");
  if (pos == std::string::npos)
    return false;
  padded.erase (pos, 6);
  f = padded.substr (1, padded.size () - 2);
  return true;
}

} // namespace

std::string
sanitize (const std::string &name)
{
  std::string out;
  out.reserve (name.size ());
  for (unsigned char c : name) {
    if (std::isalnum (c))
      out += (char)std::tolower (c);
    else
      out += '_';
  }
  if (!out.empty () && std::isdigit ((unsigned char)out[0]))
    out.insert (out.begin (), '_');
  return out;
}

bool
is_identity_field (const std::string &f)
{
  return f == "uri" || f == "url" || f == "destination" || f == "host"
         || f == "session-url";
}

MetricSpec
spec_for (const std::string &prefix, const std::string &field, Field::Kind kind)
{
  MetricSpec spec;
  std::string base = field;
  std::transform (base.begin (), base.end (), base.begin (),
                  [] (unsigned char c) { return (char)std::tolower (c); });
  if (starts_with (base, "num-"))
    base = base.substr (4);
  std::string unit;
  bool is_time = false;
  if (ends_with (base, "-ms")) {
    base.resize (base.size () - 3);
    unit = "seconds";
    spec.scale = 0.001;
    spec.negative_is_unknown = true;
    spec.unit_note = " (milliseconds in the structure, exported in seconds)";
    is_time = true;
  } else if (ends_with (base, "-kbps")) {
    base.resize (base.size () - 5);
    unit = "bits_per_second";
    spec.scale = 1000;
    spec.negative_is_unknown = true;
    spec.unit_note = " (kbit/s in the structure, exported in bit/s)";
  } else if (take_bytes_word (base)) {
    unit = "bytes";
  }
  if (is_time)
    spec.counter
        = starts_with (base, "time-on-") || starts_with (base, "total-");
  else if (kind == Field::Kind::Uint && unit != "bits_per_second")
    spec.counter = !is_gauge_name (base);
  else
    spec.counter = false;
  spec.name = prefix + sanitize (base);
  if (!unit.empty ())
    spec.name += "_" + unit;
  if (spec.counter)
    spec.name += "_total";
  return spec;
}

/* Backslash and newline always; the double quote only in label values. */
static std::string
escape (const std::string &v, bool quote)
{
  std::string out;
  out.reserve (v.size ());
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"' && quote)
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string
Exposition::escape_label_value (const std::string &v)
{
  return escape (v, true);
}

std::string
Exposition::escape_help (const std::string &v)
{
  return escape (v, false);
}

std::string
Exposition::format_value (double v)
{
  if (std::isnan (v))
    return "NaN";
  if (std::isinf (v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor (v) && std::fabs (v) < 9007199254740992.0)
    std::snprintf (buf, sizeof buf, "%.0f", v);
  else
    std::snprintf (buf, sizeof buf, "%.17g", v);
  return buf;
}

void
Exposition::add_sample (const std::string &name, bool counter,
                        const std::string &help, const Labels &labels,
                        double value)
{
  auto it = families_.find (name);
  if (it == families_.end ()) {
    order_.push_back (name);
    it = families_.emplace (name, Family{ help, counter, {} }).first;
  }
  it->second.samples.emplace_back (labels, value);
}

void
Exposition::add_record (const std::string &factory, const std::string &prefix,
                        const Labels &labels, const Record &r,
                        std::string (*redact) (const std::string &))
{
  const bool entry = !r.type.empty ();
  const std::string where = entry ? " of each " + r.type : "";
  const std::string see = ". See docs/elements/" + factory + ".md.";
  Labels info = labels;
  for (const auto &f : r.fields) {
    switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Uint:
    case Field::Kind::Double:
    case Field::Kind::Bool: {
      if (entry && f.name == "index")
        break; /* a label */
      MetricSpec s = spec_for (prefix, f.name, f.kind);
      if (s.negative_is_unknown && f.number < 0)
        break;
      add_sample (s.name, s.counter,
                  factory + " statistics field '" + f.name + "'" + where
                      + s.unit_note + see,
                  labels, f.number * s.scale);
      break;
    }
    case Field::Kind::String: {
      if (f.name == "status" || f.name == "state") {
        Labels l = labels;
        l.emplace_back (sanitize (f.name), f.text);
        add_sample (prefix + sanitize (f.name), false,
                    factory + " '" + f.name + "'" + where
                        + ": 1 for the current value (label)" + see,
                    l, 1);
      } else if (!entry && is_identity_field (f.name)) {
        info.emplace_back (sanitize (f.name),
                           redact ? redact (f.text) : f.text);
      }
      break;
    }
    case Field::Kind::List: {
      for (const auto &e : f.list) {
        Labels l = labels;
        for (const auto &ef : e.fields) {
          if (ef.name == "index" && ef.kind != Field::Kind::String
              && ef.kind != Field::Kind::List)
            l.emplace_back ("index", format_value (ef.number));
        }
        for (const auto &ef : e.fields) {
          if (ef.kind == Field::Kind::String && is_identity_field (ef.name))
            l.emplace_back (sanitize (ef.name),
                            redact ? redact (ef.text) : ef.text);
        }
        Record er = e;
        if (er.type.empty ())
          er.type = f.name;
        add_record (factory, prefix + sanitize (er.type) + "_", l, er, redact);
      }
      break;
    }
    }
  }
  if (!entry && info.size () > labels.size ())
    add_sample (
        prefix + "info", false,
        factory + " identity (current destination or URI, redacted) as labels"
            + see,
        info, 1);
}

void
Exposition::add_statistics (const std::string &factory, const Labels &labels,
                            const Record &stats,
                            std::string (*redact) (const std::string &))
{
  Record top = stats;
  top.type.clear ();
  add_record (factory, "resilient_" + sanitize (factory) + "_", labels, top,
              redact);
}

std::string
Exposition::render () const
{
  std::string out;
  for (const auto &name : order_) {
    const Family &f = families_.at (name);
    out += "# HELP " + name + " " + escape_help (f.help) + "\n";
    out += "# TYPE " + name + (f.counter ? " counter\n" : " gauge\n");
    for (const auto &[labels, value] : f.samples) {
      out += name;
      if (!labels.empty ()) {
        out += '{';
        bool first = true;
        for (const auto &[k, v] : labels) {
          if (!first)
            out += ',';
          first = false;
          out += k + "=\"" + escape_label_value (v) + "\"";
        }
        out += '}';
      }
      out += ' ' + format_value (value) + '\n';
    }
  }
  return out;
}

} // namespace resilient::metrics
