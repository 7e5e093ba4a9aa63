#include "resilient/cluster/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace resilient::cluster {

const JsonValue *
JsonValue::get (std::string_view key) const
{
  if (type_ != Type::Object)
    return nullptr;
  auto it = members_.find (std::string (key));
  return it == members_.end () ? nullptr : &it->second;
}

const JsonValue *
JsonValue::path (std::string_view dotted) const
{
  const JsonValue *v = this;
  while (v) {
    auto dot = dotted.find ('.');
    v = v->get (dotted.substr (0, dot));
    if (dot == std::string_view::npos)
      return v;
    dotted.remove_prefix (dot + 1);
  }
  return nullptr;
}

std::optional<std::string>
JsonValue::get_string (std::string_view key) const
{
  const JsonValue *v = get (key);
  if (!v || !v->is_string ())
    return std::nullopt;
  return v->as_string ();
}

JsonValue
JsonValue::make_bool (bool b)
{
  JsonValue v;
  v.type_ = Type::Bool;
  v.bool_ = b;
  return v;
}

JsonValue
JsonValue::make_number (double d)
{
  JsonValue v;
  v.type_ = Type::Number;
  v.number_ = d;
  return v;
}

JsonValue
JsonValue::make_string (std::string s)
{
  JsonValue v;
  v.type_ = Type::String;
  v.string_ = std::move (s);
  return v;
}

JsonValue
JsonValue::make_array (std::vector<JsonValue> items)
{
  JsonValue v;
  v.type_ = Type::Array;
  v.items_ = std::move (items);
  return v;
}

JsonValue
JsonValue::make_object (std::map<std::string, JsonValue> members)
{
  JsonValue v;
  v.type_ = Type::Object;
  v.members_ = std::move (members);
  return v;
}

namespace {

class Parser
{
public:
  explicit Parser (std::string_view t) : text_ (t) {}

  std::optional<JsonValue> document ()
  {
    auto v = value (0);
    if (!v)
      return std::nullopt;
    skip_ws ();
    if (pos_ != text_.size ())
      return std::nullopt;
    return v;
  }

private:
  static constexpr int kMaxDepth = 64;
  std::string_view text_;
  size_t pos_ = 0;

  void skip_ws ()
  {
    while (pos_ < text_.size ()
           && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n'
               || text_[pos_] == '\r'))
      pos_++;
  }

  bool literal (std::string_view word)
  {
    if (text_.substr (pos_, word.size ()) != word)
      return false;
    pos_ += word.size ();
    return true;
  }

  std::optional<JsonValue> value (int depth)
  {
    if (depth > kMaxDepth)
      return std::nullopt;
    skip_ws ();
    if (pos_ >= text_.size ())
      return std::nullopt;
    char c = text_[pos_];
    if (c == '{')
      return object (depth);
    if (c == '[')
      return array (depth);
    if (c == '"') {
      auto s = string ();
      if (!s)
        return std::nullopt;
      return JsonValue::make_string (std::move (*s));
    }
    if (c == 't')
      return literal ("true") ? std::optional (JsonValue::make_bool (true))
                              : std::nullopt;
    if (c == 'f')
      return literal ("false") ? std::optional (JsonValue::make_bool (false))
                               : std::nullopt;
    if (c == 'n')
      return literal ("null") ? std::optional (JsonValue::make_null ())
                              : std::nullopt;
    return number ();
  }

  std::optional<JsonValue> number ()
  {
    size_t start = pos_;
    auto digits = [&] {
      size_t s = pos_;
      while (pos_ < text_.size () && text_[pos_] >= '0' && text_[pos_] <= '9')
        pos_++;
      return pos_ - s;
    };
    if (pos_ < text_.size () && text_[pos_] == '-')
      pos_++;
    if (pos_ < text_.size () && text_[pos_] == '0')
      pos_++;
    else if (digits () == 0)
      return std::nullopt;
    if (pos_ < text_.size () && text_[pos_] == '.') {
      pos_++;
      if (digits () == 0)
        return std::nullopt;
    }
    if (pos_ < text_.size () && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      pos_++;
      if (pos_ < text_.size () && (text_[pos_] == '+' || text_[pos_] == '-'))
        pos_++;
      if (digits () == 0)
        return std::nullopt;
    }
    std::string num (text_.substr (start, pos_ - start));
    double d = std::strtod (num.c_str (), nullptr);
    if (!std::isfinite (d))
      return std::nullopt;
    return JsonValue::make_number (d);
  }

  static void append_utf8 (std::string &out, unsigned cp)
  {
    if (cp < 0x80) {
      out += static_cast<char> (cp);
    } else if (cp < 0x800) {
      out += static_cast<char> (0xC0 | (cp >> 6));
      out += static_cast<char> (0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char> (0xE0 | (cp >> 12));
      out += static_cast<char> (0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char> (0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char> (0xF0 | (cp >> 18));
      out += static_cast<char> (0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char> (0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char> (0x80 | (cp & 0x3F));
    }
  }

  std::optional<unsigned> hex4 ()
  {
    if (pos_ + 4 > text_.size ())
      return std::nullopt;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
      char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= c - '0';
      else if (c >= 'a' && c <= 'f')
        v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        v |= c - 'A' + 10;
      else
        return std::nullopt;
    }
    return v;
  }

  std::optional<std::string> string ()
  {
    pos_++; /* opening quote */
    std::string out;
    while (pos_ < text_.size ()) {
      char c = text_[pos_++];
      if (c == '"')
        return out;
      if (static_cast<unsigned char> (c) < 0x20)
        return std::nullopt;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size ())
        return std::nullopt;
      char e = text_[pos_++];
      switch (e) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto cp = hex4 ();
        if (!cp)
          return std::nullopt;
        unsigned code = *cp;
        if (code >= 0xD800 && code < 0xDC00) {
          if (!literal ("\\u"))
            return std::nullopt;
          auto lo = hex4 ();
          if (!lo || *lo < 0xDC00 || *lo > 0xDFFF)
            return std::nullopt;
          code = 0x10000 + ((code - 0xD800) << 10) + (*lo - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
          return std::nullopt;
        }
        append_utf8 (out, code);
        break;
      }
      default:
        return std::nullopt;
      }
    }
    return std::nullopt;
  }

  std::optional<JsonValue> array (int depth)
  {
    pos_++;
    std::vector<JsonValue> items;
    skip_ws ();
    if (pos_ < text_.size () && text_[pos_] == ']') {
      pos_++;
      return JsonValue::make_array (std::move (items));
    }
    for (;;) {
      auto v = value (depth + 1);
      if (!v)
        return std::nullopt;
      items.push_back (std::move (*v));
      skip_ws ();
      if (pos_ >= text_.size ())
        return std::nullopt;
      char c = text_[pos_++];
      if (c == ']')
        return JsonValue::make_array (std::move (items));
      if (c != ',')
        return std::nullopt;
    }
  }

  std::optional<JsonValue> object (int depth)
  {
    pos_++;
    std::map<std::string, JsonValue> members;
    skip_ws ();
    if (pos_ < text_.size () && text_[pos_] == '}') {
      pos_++;
      return JsonValue::make_object (std::move (members));
    }
    for (;;) {
      skip_ws ();
      if (pos_ >= text_.size () || text_[pos_] != '"')
        return std::nullopt;
      auto key = string ();
      if (!key)
        return std::nullopt;
      skip_ws ();
      if (pos_ >= text_.size () || text_[pos_++] != ':')
        return std::nullopt;
      auto v = value (depth + 1);
      if (!v)
        return std::nullopt;
      members.insert_or_assign (std::move (*key), std::move (*v));
      skip_ws ();
      if (pos_ >= text_.size ())
        return std::nullopt;
      char c = text_[pos_++];
      if (c == '}')
        return JsonValue::make_object (std::move (members));
      if (c != ',')
        return std::nullopt;
    }
  }
};

} // namespace

std::optional<JsonValue>
parse_json (std::string_view text)
{
  return Parser (text).document ();
}

std::string
json_quote (std::string_view s)
{
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char> (c) < 0x20) {
        char buf[8];
        std::snprintf (buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += c;
      }
    }
  }
  out += '"';
  return out;
}

} // namespace resilient::cluster
