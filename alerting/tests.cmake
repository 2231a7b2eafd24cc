# Tests of the monitoring mixin in alerting/ (included from tests/CMakeLists.txt). They need
# jsonnet, promtool and amtool, which the install script installs (apt: jsonnet, prometheus,
# prometheus-alertmanager). A missing tool makes its tests fail with a message saying which one;
# they are never skipped silently.

set(TICKGUARD_ALERTING_DIR ${CMAKE_SOURCE_DIR}/alerting)

find_program(TICKGUARD_JSONNET NAMES jsonnet DOC "jsonnet, renders alerting/mixin.libsonnet")
find_program(TICKGUARD_PROMTOOL NAMES promtool DOC "promtool, checks and unit-tests the rules")
find_program(TICKGUARD_AMTOOL NAMES amtool DOC "amtool, checks the example Alertmanager config")
find_program(TICKGUARD_BASH NAMES bash REQUIRED)

# Adds test NAME running the command after NAME and TOOL_VARIABLE, or, if the tool was not
# found, a test that fails and says what to install.
function(tickguard_alerting_test name tool_variable package)
  if(${tool_variable})
    add_test(NAME ${name} COMMAND ${ARGN} WORKING_DIRECTORY ${TICKGUARD_ALERTING_DIR})
  else()
    message(WARNING "${name}: ${tool_variable} not found (apt install ${package}); the test will fail")
    add_test(NAME ${name}
             COMMAND ${TICKGUARD_BASH} -c
                     "echo '${name}: ${tool_variable} not found at configure time: apt install ${package}, then re-run cmake' >&2; exit 1")
  endif()
  set_tests_properties(${name} PROPERTIES LABELS alerting TIMEOUT 120)
endfunction()

# The committed prometheus_alerts.yml and prometheus_rules.yml match a fresh render.
tickguard_alerting_test(Alerting.Generated TICKGUARD_JSONNET jsonnet
  ${CMAKE_COMMAND} -E env JSONNET=${TICKGUARD_JSONNET}
  ${TICKGUARD_BASH} ${TICKGUARD_ALERTING_DIR}/generate.sh --check)

# Every for: and window of the rendered rules follows _config (the stack tests shorten them all).
tickguard_alerting_test(Alerting.DurationsOverridable TICKGUARD_JSONNET jsonnet
  ${CMAKE_COMMAND} -E env JSONNET=${TICKGUARD_JSONNET}
  ${TICKGUARD_BASH} ${TICKGUARD_ALERTING_DIR}/tests/check_overrides.sh)

tickguard_alerting_test(Alerting.PromtoolCheckRules TICKGUARD_PROMTOOL prometheus
  ${TICKGUARD_PROMTOOL} check rules
  ${TICKGUARD_ALERTING_DIR}/prometheus_alerts.yml ${TICKGUARD_ALERTING_DIR}/prometheus_rules.yml)

file(GLOB tickguard_alerting_unit_tests CONFIGURE_DEPENDS ${TICKGUARD_ALERTING_DIR}/tests/*.yml)
tickguard_alerting_test(Alerting.PromtoolTestRules TICKGUARD_PROMTOOL prometheus
  ${TICKGUARD_PROMTOOL} test rules ${tickguard_alerting_unit_tests})

# Every alert has a firing test case, a runbook section, and the inhibitions it needs.
add_test(NAME Alerting.Coverage COMMAND ${TICKGUARD_BASH} ${TICKGUARD_ALERTING_DIR}/tests/check_coverage.sh)
set_tests_properties(Alerting.Coverage PROPERTIES LABELS alerting TIMEOUT 60)

tickguard_alerting_test(Alerting.AmtoolCheckConfig TICKGUARD_AMTOOL prometheus-alertmanager
  ${TICKGUARD_AMTOOL} check-config ${TICKGUARD_ALERTING_DIR}/alertmanager.yml)

# The example routing tree sends each kind of alert where alertmanager.yml's comments say.
tickguard_alerting_test(Alerting.AmtoolRoutes TICKGUARD_AMTOOL prometheus-alertmanager
  ${CMAKE_COMMAND} -E env AMTOOL=${TICKGUARD_AMTOOL}
  ${TICKGUARD_BASH} ${TICKGUARD_ALERTING_DIR}/tests/check_routes.sh)

# The Jsonnet sources are jsonnetfmt-formatted (like the C++ sources are clang-formatted).
find_program(TICKGUARD_JSONNETFMT NAMES jsonnetfmt DOC "jsonnetfmt, checks the mixin's formatting")
file(GLOB tickguard_alerting_jsonnet CONFIGURE_DEPENDS ${TICKGUARD_ALERTING_DIR}/*.libsonnet)
tickguard_alerting_test(Alerting.JsonnetFormat TICKGUARD_JSONNETFMT jsonnet
  ${TICKGUARD_JSONNETFMT} --test ${tickguard_alerting_jsonnet})
