#include "dashboard_model.h"

#include <simdjson.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace tickguard::testing {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// $name, ${name}, ${name:format} and the deprecated [[name]]; group 1, 2 or 3 is the name.
const std::regex& variable_pattern() {
  static const std::regex pattern(
      R"(\$\{([A-Za-z0-9_.]+)(?::[^}]*)?\}|\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)\]\])");
  return pattern;
}

template <typename Json>
std::string string_or(const Json& value, std::string_view key, std::string fallback = "") {
  std::string_view text;
  if (value[key].get(text) == simdjson::SUCCESS) return std::string(text);
  return fallback;
}

template <typename Json>
bool bool_or(const Json& value, std::string_view key, bool fallback = false) {
  bool flag = fallback;
  return value[key].get(flag) == simdjson::SUCCESS ? flag : fallback;
}

// Every "datasource" and link "url" below `value`, with its JSON path.
void collect_references(element value, const std::string& path, Dashboard& out) {
  if (value.is_object()) {
    for (const auto field : value.get_object()) {
      const std::string child = path + "." + std::string(field.key);
      if (field.key == "datasource") {
        DatasourceReference ref{.where = child, .type = "", .uid = ""};
        std::string_view text;
        if (field.value.get_string().get(text) == simdjson::SUCCESS) {
          ref.uid = std::string(text);
        } else if (field.value.is_object()) {
          ref.type = string_or(field.value, "type");
          ref.uid = string_or(field.value, "uid");
        }
        out.datasources.push_back(std::move(ref));
      } else if (field.key == "url" && field.value.is_string()) {
        out.link_urls.emplace_back(std::string_view(field.value.get_string()));
      }
      collect_references(field.value, child, out);
    }
  } else if (value.is_array()) {
    std::size_t index = 0;
    for (const auto item : value.get_array()) {
      collect_references(item, path + "[" + std::to_string(index++) + "]", out);
    }
  }
}

void collect_panels(array panels, Dashboard& out) {
  for (const auto panel : panels) {
    std::int64_t id = 0;
    out.panel_ids.push_back(panel["id"].get(id) == simdjson::SUCCESS ? id : -1);
    const std::string title = string_or(panel, "title");
    const std::string interval = string_or(panel, "interval");
    array targets;
    if (panel["targets"].get(targets) == simdjson::SUCCESS) {
      for (const auto target : targets) {
        const std::string expr = string_or(target, "expr");
        if (expr.empty()) continue;
        out.queries.push_back({.where = "panel " + std::to_string(id) + " \"" + title + "\" target " +
                                        string_or(target, "refId"),
                               .expr = expr,
                               .instant = bool_or(target, "instant") && !bool_or(target, "range"),
                               .interval = string_or(target, "interval", interval)});
      }
    }
    array nested;
    if (panel["panels"].get(nested) == simdjson::SUCCESS) collect_panels(nested, out);
  }
}

void collect_annotations(element doc, Dashboard& out) {
  array annotations;
  if (doc["annotations"]["list"].get(annotations) != simdjson::SUCCESS) return;
  for (const auto annotation : annotations) {
    std::string expr = string_or(annotation, "expr");
    if (expr.empty()) expr = string_or(annotation["target"], "expr");
    if (expr.empty()) continue;
    out.queries.push_back({.where = "annotation \"" + string_or(annotation, "name") + "\"",
                           .expr = expr,
                           .instant = false,
                           .interval = string_or(annotation, "step")});
  }
}

void collect_variables(element doc, Dashboard& out) {
  array variables;
  if (doc["templating"]["list"].get(variables) != simdjson::SUCCESS) return;
  for (const auto variable : variables) {
    DashboardVariable v{.name = string_or(variable, "name"),
                        .type = string_or(variable, "type"),
                        .query = string_or(variable, "query"),
                        .multi = bool_or(variable, "multi"),
                        .include_all = bool_or(variable, "includeAll")};
    if (v.query.empty()) v.query = string_or(variable["query"], "query");  // the object form
    if (v.query.empty()) v.query = string_or(variable, "definition");
    out.variables.push_back(std::move(v));
  }
}

}  // namespace

std::optional<Dashboard> load_dashboard(const std::filesystem::path& file, std::string& error) {
  simdjson::dom::parser parser;
  element doc;
  if (const auto code = parser.load(file.string()).get(doc); code != simdjson::SUCCESS) {
    error = file.string() + ": " + simdjson::error_message(code);
    return std::nullopt;
  }
  if (!doc.is_object()) {
    error = file.string() + ": not a JSON object";
    return std::nullopt;
  }
  Dashboard out;
  out.file = file;
  out.uid = string_or(doc, "uid");
  out.title = string_or(doc, "title");
  std::int64_t schema = 0;
  if (doc["schemaVersion"].get(schema) == simdjson::SUCCESS) out.schema_version = schema;
  array tags;
  if (doc["tags"].get(tags) == simdjson::SUCCESS) {
    for (const auto tag : tags) {
      std::string_view text;
      if (tag.get(text) == simdjson::SUCCESS) out.tags.emplace_back(text);
    }
  }
  collect_variables(doc, out);
  collect_annotations(doc, out);
  array panels;
  if (doc["panels"].get(panels) == simdjson::SUCCESS) collect_panels(panels, out);
  collect_references(doc, "$", out);
  return out;
}

std::set<std::string> referenced_variables(const std::string& text) {
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), variable_pattern()), end; it != end; ++it) {
    for (int group = 1; group <= 3; ++group) {
      if ((*it)[group].matched) {
        const std::string name = (*it)[group].str();
        if (name.rfind("__", 0) != 0) names.insert(name.substr(0, name.find('.')));
      }
    }
  }
  return names;
}

std::string substitute_variables(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t last = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), variable_pattern()), end; it != end; ++it) {
    std::string name;
    for (int group = 1; group <= 3; ++group) {
      if ((*it)[group].matched) name = (*it)[group].str();
    }
    out += text.substr(last, static_cast<std::size_t>(it->position()) - last);
    const auto value = values.find(name);
    out += value != values.end() ? value->second : it->str();
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  return out + text.substr(last);
}

std::optional<LabelValuesQuery> parse_label_values(const std::string& query) {
  static const std::regex with_selector(
      R"(^\s*label_values\(\s*(.+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$)");
  static const std::regex label_only(R"(^\s*label_values\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$)");
  std::smatch match;
  if (std::regex_match(query, match, with_selector)) return LabelValuesQuery{match[1].str(), match[2].str()};
  if (std::regex_match(query, match, label_only)) return LabelValuesQuery{"", match[1].str()};
  return std::nullopt;
}

}  // namespace tickguard::testing
