# Stack tests: the dashboards linted, and every dashboard query and the alerting mixin run against a
# real Prometheus and Alertmanager scraping the real daemon (tests/stack/). Included from
# tests/CMakeLists.txt, where the test harness library is defined.
find_program(TICKGUARD_PROMETHEUS prometheus REQUIRED)
find_program(TICKGUARD_ALERTMANAGER prometheus-alertmanager REQUIRED)
find_program(TICKGUARD_JSONNET jsonnet REQUIRED)

file(GLOB stack_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
add_executable(tickguard_stack_tests ${stack_sources})
target_link_libraries(tickguard_stack_tests PRIVATE tickguard_test_harness simdjson::simdjson PkgConfig::HTTPLIB
                                                    GTest::gtest_main tickguard_warnings)
target_compile_definitions(tickguard_stack_tests PRIVATE TICKGUARD_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                                                         TICKGUARD_BINARY="$<TARGET_FILE:tickguard>"
                                                         TICKGUARD_PROMETHEUS="${TICKGUARD_PROMETHEUS}"
                                                         TICKGUARD_ALERTMANAGER="${TICKGUARD_ALERTMANAGER}"
                                                         TICKGUARD_JSONNET="${TICKGUARD_JSONNET}")
add_dependencies(tickguard_stack_tests tickguard)

# Two tests, not one per case: the cases of MonitoringStack share one running stack (daemon,
# Prometheus, Alertmanager), which a process per case would start again each time.
add_test(NAME Stack.DashboardLint COMMAND tickguard_stack_tests --gtest_filter=DashboardLint.*)
add_test(NAME Stack.MonitoringStack COMMAND tickguard_stack_tests --gtest_filter=MonitoringStack.*)
set_tests_properties(Stack.DashboardLint PROPERTIES TIMEOUT 60)
# Serial: its alerts are timed against a wall-clock outage, and a Debug daemon starved of CPU by
# parallel tests would stretch it.
set_tests_properties(Stack.MonitoringStack PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE)
