# Packaging tests, included from tests/CMakeLists.txt (CMAKE_SOURCE_DIR is the repository root).
#
# Packaging.SystemdUnit: `systemd-analyze verify` prints nothing on the unit (ExecStart pointed at
#   the built binary) and `systemd-analyze security` rates it at most 2.0.
# Packaging.Deb: builds the .deb from a copy of the tree (dpkg-buildpackage, an optimized build of
#   the whole daemon: about 5 min on 2 cores), lints it, installs it, runs the installed daemon as the
#   tickguard user, purges it. Needs root; skipped (exit 77) otherwise. Runs alone: it compiles.
find_program(SYSTEMD_ANALYZE systemd-analyze)
if(SYSTEMD_ANALYZE)
  add_test(NAME Packaging.SystemdUnit
           COMMAND bash ${CMAKE_SOURCE_DIR}/packaging/systemd/check-unit.sh
                   ${CMAKE_SOURCE_DIR}/packaging/systemd/tickguard.service $<TARGET_FILE:tickguard>)
  set_tests_properties(Packaging.SystemdUnit PROPERTIES TIMEOUT 60 LABELS packaging)
endif()

find_program(DPKG_BUILDPACKAGE dpkg-buildpackage)
if(DPKG_BUILDPACKAGE)
  add_test(NAME Packaging.Deb COMMAND bash ${CMAKE_SOURCE_DIR}/packaging/debian/test-install.sh)
  set_tests_properties(Packaging.Deb PROPERTIES TIMEOUT 1800 RUN_SERIAL TRUE SKIP_RETURN_CODE 77 LABELS packaging)
endif()
