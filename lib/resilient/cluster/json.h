/* gst-resilient: a small JSON reader for the cluster resolver's inputs.
 *
 * Discovery answers, content-steering manifests and status callbacks are
 * short documents from servers we do not control. This reader parses them
 * into a tree, strictly (RFC 8259 grammar, nesting depth bounded) and
 * without throwing: a document that does not parse gives nullopt, which
 * the callers turn into "fall back to the host list". lib/ stays free of
 * GLib, so json-glib is not used here.
 */
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace resilient::cluster {

class JsonValue
{
public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  JsonValue () = default;

  Type type () const { return type_; }
  bool is_null () const { return type_ == Type::Null; }
  bool is_bool () const { return type_ == Type::Bool; }
  bool is_number () const { return type_ == Type::Number; }
  bool is_string () const { return type_ == Type::String; }
  bool is_array () const { return type_ == Type::Array; }
  bool is_object () const { return type_ == Type::Object; }

  bool as_bool () const { return bool_; }
  double as_number () const { return number_; }
  const std::string &as_string () const { return string_; }
  const std::vector<JsonValue> &items () const { return items_; }
  const std::map<std::string, JsonValue> &members () const { return members_; }

  /* Member lookup on an object; nullptr when absent or not an object. */
  const JsonValue *get (std::string_view key) const;
  /* Follows a dotted path of member names ("connection.signallingUri"). */
  const JsonValue *path (std::string_view dotted) const;
  /* The member as a string, when it is one. */
  std::optional<std::string> get_string (std::string_view key) const;

  static JsonValue make_null () { return JsonValue (); }
  static JsonValue make_bool (bool b);
  static JsonValue make_number (double d);
  static JsonValue make_string (std::string s);
  static JsonValue make_array (std::vector<JsonValue> items);
  static JsonValue make_object (std::map<std::string, JsonValue> members);

private:
  Type type_ = Type::Null;
  bool bool_ = false;
  double number_ = 0.0;
  std::string string_;
  std::vector<JsonValue> items_;
  std::map<std::string, JsonValue> members_;
};

/* Parses one complete document (surrounding whitespace allowed). Returns
 * nullopt on any syntax error, trailing garbage or nesting deeper than 64. */
std::optional<JsonValue> parse_json (std::string_view text);

/* Quotes a string for a JSON document. */
std::string json_quote (std::string_view s);

} // namespace resilient::cluster
