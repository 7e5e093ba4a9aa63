/* gst-resilient: Prometheus text exposition of element statistics.
 *
 * Plain C++ (no GStreamer): the tracer turns a `statistics` GstStructure
 * into a Record and hands it here; the naming rules that map a statistics
 * field to a metric (name, type, unit, labels) live in this class so they
 * are unit-tested and documented once (docs/metrics.md).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace resilient::metrics {

struct Record;

/* One field of a statistics structure. */
struct Field
{
  enum class Kind { Int, Uint, Double, Bool, String, List };
  std::string name;
  Kind kind = Kind::Int;
  double number = 0;        /* Int, Uint, Double, Bool (0/1) */
  std::string text;         /* String */
  std::vector<Record> list; /* List: entries (candidates, hosts, ...) */
};

/* A statistics structure or one entry of a list field. `type` is the
 * structure name (`candidate`, `host`). */
struct Record
{
  std::string type;
  std::vector<Field> fields;
};

using Labels = std::vector<std::pair<std::string, std::string>>;

/* How one numeric field is exported (the naming rules). */
struct MetricSpec
{
  std::string name; /* full metric name, with unit and `_total` suffixes */
  bool counter = false;
  double scale = 1; /* value multiplier (ms -> s, kbit/s -> bit/s) */
  bool negative_is_unknown = false; /* -1 means "not known": no sample */
  std::string unit_note;            /* for the help text: "converted from ms" */
};

/* Field names whose string value identifies an entry (become labels). */
bool is_identity_field (const std::string &field);

/* Applies the naming rules of docs/metrics.md to numeric field `field`
 * of a record exported under `prefix` (e.g. `resilient_failoversrc_`). */
MetricSpec spec_for (const std::string &prefix, const std::string &field,
                     Field::Kind kind);

/* Converts `name` to a valid metric-name fragment: lower case, `-` and
 * other invalid characters become `_`. */
std::string sanitize (const std::string &name);

/* Collects samples and renders text exposition format 0.0.4. Families are
 * kept in first-seen order with all their samples together. */
class Exposition
{
public:
  /* Adds every exportable field of `stats` of one element. `factory` is
   * the element factory (`failoversrc`), `labels` identify the element
   * (`element`, `pipeline`). String fields are passed through `redact`
   * before they become label values. */
  void add_statistics (const std::string &factory, const Labels &labels,
                       const Record &stats,
                       std::string (*redact) (const std::string &) = nullptr);

  /* One sample of a family; the family is created on first use. */
  void add_sample (const std::string &name, bool counter,
                   const std::string &help, const Labels &labels, double value);

  std::string render () const;

  static std::string escape_label_value (const std::string &v);
  static std::string escape_help (const std::string &v);
  static std::string format_value (double v);

private:
  struct Family
  {
    std::string help;
    bool counter = false;
    std::vector<std::pair<Labels, double>> samples;
  };
  void add_record (const std::string &factory, const std::string &prefix,
                   const Labels &labels, const Record &r,
                   std::string (*redact) (const std::string &));
  std::vector<std::string> order_;
  std::map<std::string, Family> families_;
};

} // namespace resilient::metrics
