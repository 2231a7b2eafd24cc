// The Grafana dashboards (dashboards/*.json) and their provisioning files, checked without Grafana
// or Prometheus: schema, panel ids, datasource references, variables, rate windows, links.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "daemon_process.h"
#include "dashboard_model.h"

namespace tickguard::testing {
namespace {

const std::filesystem::path kDashboards = std::filesystem::path(TICKGUARD_SOURCE_DIR) / "dashboards";
// Where the provisioning file tells Grafana to look; dashboards/README.md documents it.
constexpr const char* kProvisionedPath = "/usr/share/tickguard/dashboards";

std::vector<Dashboard> load_all() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(kDashboards)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Dashboard> dashboards;
  for (const auto& file : files) {
    std::string error;
    auto dashboard = load_dashboard(file, error);
    EXPECT_TRUE(dashboard.has_value()) << error;
    if (dashboard) dashboards.push_back(std::move(*dashboard));
  }
  return dashboards;
}

TEST(DashboardLint, TheThreeDashboardsAreValidJsonWithStableUids) {
  const auto dashboards = load_all();
  std::set<std::string> uids;
  for (const auto& d : dashboards) {
    uids.insert(d.uid);
    EXPECT_EQ(d.schema_version, 39) << d.file;
    EXPECT_FALSE(d.title.empty()) << d.file;
    EXPECT_NE(std::find(d.tags.begin(), d.tags.end(), "tickguard"), d.tags.end())
        << d.file << ": the dashboards link to each other by the tag `tickguard`";
    EXPECT_EQ(d.uid, d.file.stem().string()) << "uid and file name agree, so links and URLs stay stable";
    EXPECT_FALSE(d.queries.empty()) << d.file;
  }
  EXPECT_EQ(uids, (std::set<std::string>{"tickguard-overview", "tickguard-symbol", "tickguard-internals"}));
}

TEST(DashboardLint, PanelIdsAreUniqueIncludingPanelsNestedInRows) {
  for (const auto& d : load_all()) {
    std::set<long> seen;
    for (const long id : d.panel_ids) {
      EXPECT_GT(id, 0) << d.file << ": a panel without an id";
      EXPECT_TRUE(seen.insert(id).second) << d.file << ": panel id " << id << " is used twice";
    }
  }
}

TEST(DashboardLint, EveryDatasourceIsTheDatasourceVariable) {
  for (const auto& d : load_all()) {
    const auto variable = std::find_if(d.variables.begin(), d.variables.end(),
                                       [](const DashboardVariable& v) { return v.name == "datasource"; });
    ASSERT_NE(variable, d.variables.end()) << d.file << ": no `datasource` variable";
    EXPECT_EQ(variable->type, "datasource") << d.file;
    EXPECT_EQ(variable->query, "prometheus") << d.file;
    ASSERT_FALSE(d.datasources.empty()) << d.file;
    for (const auto& ref : d.datasources) {
      // Grafana's own annotation source ("Annotations & Alerts") is the one exception.
      if (ref.type == "grafana" && ref.uid == "-- Grafana --") continue;
      EXPECT_EQ(ref.type, "prometheus") << d.file << " " << ref.where;
      EXPECT_EQ(ref.uid, "${datasource}") << d.file << " " << ref.where;
    }
  }
}

TEST(DashboardLint, EveryVariableAQueryUsesIsDefinedBeforeIt) {
  for (const auto& d : load_all()) {
    std::set<std::string> defined;
    for (const auto& v : d.variables) {
      for (const auto& name : referenced_variables(v.query)) {
        EXPECT_TRUE(defined.count(name))
            << d.file << ": variable " << v.name << " uses $" << name << ", which is not defined before it";
      }
      if (v.type == "query") {
        EXPECT_TRUE(parse_label_values(v.query).has_value()) << d.file << ": " << v.query;
      }
      defined.insert(v.name);
    }
    for (const auto& q : d.queries) {
      for (const auto& name : referenced_variables(q.expr)) {
        EXPECT_TRUE(defined.count(name)) << d.file << " " << q.where << ": $" << name << " is not defined";
      }
    }
  }
}

TEST(DashboardLint, RateWindowsUseRateInterval) {
  // Grafana's advice: rate()/irate() windows of $__rate_interval hold at least four scrapes whatever
  // the zoom level.
  const std::regex rate_window(R"(\b(?:rate|irate)\s*\([^\[]*\[([^\]]*)\])");
  for (const auto& d : load_all()) {
    for (const auto& q : d.queries) {
      for (std::sregex_iterator it(q.expr.begin(), q.expr.end(), rate_window), end; it != end; ++it) {
        EXPECT_EQ((*it)[1].str(), "$__rate_interval") << d.file << " " << q.where << ": " << q.expr;
      }
    }
  }
}

TEST(DashboardLint, LinksPointAtExistingDashboards) {
  const auto dashboards = load_all();
  std::set<std::string> uids;
  for (const auto& d : dashboards) uids.insert(d.uid);
  const std::regex dashboard_url(R"(^/d/([^/?]+))");
  for (const auto& d : dashboards) {
    for (const auto& url : d.link_urls) {
      std::smatch match;
      if (std::regex_search(url, match, dashboard_url)) {
        EXPECT_TRUE(uids.count(match[1].str())) << d.file << ": link to unknown dashboard " << url;
      }
      for (const auto& name : referenced_variables(url)) {
        EXPECT_TRUE(std::any_of(d.variables.begin(), d.variables.end(),
                                [&name](const DashboardVariable& v) { return v.name == name; }))
            << d.file << ": link uses undefined $" << name << ": " << url;
      }
    }
  }
}

TEST(DashboardLint, ProvisioningFilesNameTheDocumentedPath) {
  const auto datasource = read_file(kDashboards / "provisioning" / "datasources" / "prometheus.yml");
  EXPECT_NE(datasource.find("type: prometheus"), std::string::npos) << datasource;
  EXPECT_NE(datasource.find("apiVersion: 1"), std::string::npos);
  const auto provider = read_file(kDashboards / "provisioning" / "dashboards" / "tickguard.yml");
  EXPECT_NE(provider.find("type: file"), std::string::npos) << provider;
  EXPECT_NE(provider.find(std::string("path: ") + kProvisionedPath), std::string::npos) << provider;
  const auto readme = read_file(kDashboards / "README.md");
  EXPECT_NE(readme.find(kProvisionedPath), std::string::npos) << "dashboards/README.md documents the path";
  for (const char* file : {"tickguard-overview.json", "tickguard-symbol.json", "tickguard-internals.json"}) {
    EXPECT_NE(readme.find(file), std::string::npos) << "dashboards/README.md describes " << file;
  }
}

}  // namespace
}  // namespace tickguard::testing
