// What the stack tests need to know of a Grafana dashboard JSON file: its variables, every PromQL
// expression it runs (panel targets, annotations, variable queries), its datasource references and
// panel ids. Parsing only; no I/O beyond reading the file.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace tickguard::testing {

struct DashboardVariable {
  std::string name;
  std::string type;   // "query", "datasource", ...
  std::string query;  // the query text (for a datasource variable: the plugin type)
  bool multi = false;
  bool include_all = false;
};

struct DashboardQuery {
  std::string where;  // e.g. `panel 7 "Price" target A`, `annotation "Anomaly episodes"`
  std::string expr;
  bool instant = false;
  std::string interval;  // the panel's minimum interval (Grafana's $__interval floor), may be empty
};

// A "datasource" field found anywhere in the dashboard.
struct DatasourceReference {
  std::string where;  // JSON path
  std::string type;
  std::string uid;  // or the whole value when it is a plain string
};

struct Dashboard {
  std::filesystem::path file;
  std::string uid;
  std::string title;
  long schema_version = 0;
  std::vector<std::string> tags;
  std::vector<DashboardVariable> variables;  // in definition order
  std::vector<DashboardQuery> queries;       // panel targets and annotations (not variables)
  std::vector<long> panel_ids;               // every panel, rows and panels nested in rows included
  std::vector<DatasourceReference> datasources;
  std::vector<std::string> link_urls;  // dashboard links and panel/field data links
};

// Parses a dashboard file; nullopt with `error` set when it is not valid dashboard JSON.
std::optional<Dashboard> load_dashboard(const std::filesystem::path& file, std::string& error);

// Names of the variables `text` references ($name, ${name}, ${name:format}, [[name]]), Grafana's
// built-ins ($__interval, ${__field...}) excluded.
std::set<std::string> referenced_variables(const std::string& text);

// `text` with each referenced variable replaced by its value in `values` (unknown ones are left).
std::string substitute_variables(const std::string& text, const std::map<std::string, std::string>& values);

// Grafana's label_values(selector, label) or label_values(label) variable query.
struct LabelValuesQuery {
  std::string selector;  // empty for label_values(label)
  std::string label;
};
std::optional<LabelValuesQuery> parse_label_values(const std::string& query);

}  // namespace tickguard::testing
