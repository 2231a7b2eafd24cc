# Tests of the Kubernetes manifests in packaging/kubernetes (included from tests/CMakeLists.txt;
# CMAKE_SOURCE_DIR is the repository root). No cluster and no network: `kubectl kustomize` only.
#
# Packaging.KubernetesRender: generate.sh --check (PrometheusRule and dashboard copies up to date),
#   `kubectl kustomize` of the base and every overlay, and tests/check_render.py on each render.
# Packaging.KubernetesConfig: `tickguard check-config` on the ConfigMap's tickguard.toml and on its
#   commented simulator alternative.
# kubectl (apt: kubernetes-client), jsonnet and python3 with its yaml module (apt: python3-yaml) are
# needed; a missing one makes the test fail with a message saying what to install, never skip.

set(TICKGUARD_KUBERNETES_DIR ${CMAKE_SOURCE_DIR}/packaging/kubernetes)

find_program(TICKGUARD_KUBECTL NAMES kubectl DOC "kubectl, renders packaging/kubernetes with kustomize")
find_program(TICKGUARD_JSONNET NAMES jsonnet DOC "jsonnet, renders alerting/mixin.libsonnet")
find_program(TICKGUARD_PYTHON3 NAMES python3 DOC "python3 with yaml, checks the rendered manifests")
find_program(TICKGUARD_BASH NAMES bash REQUIRED)

set(tickguard_kubernetes_missing "")
foreach(tool_and_package IN ITEMS "TICKGUARD_KUBECTL;kubernetes-client" "TICKGUARD_JSONNET;jsonnet"
                                  "TICKGUARD_PYTHON3;python3-yaml")
  list(GET tool_and_package 0 tool)
  list(GET tool_and_package 1 package)
  if(NOT ${tool})
    list(APPEND tickguard_kubernetes_missing ${package})
  endif()
endforeach()

if(tickguard_kubernetes_missing)
  list(JOIN tickguard_kubernetes_missing " " missing)
  message(WARNING "Packaging.KubernetesRender: missing tools (apt install ${missing}); the test will fail")
  add_test(NAME Packaging.KubernetesRender
           COMMAND ${TICKGUARD_BASH} -c
                   "echo 'Packaging.KubernetesRender: not found at configure time: apt install ${missing}, then re-run cmake' >&2; exit 1")
else()
  add_test(NAME Packaging.KubernetesRender
           COMMAND ${CMAKE_COMMAND} -E env KUBECTL=${TICKGUARD_KUBECTL} JSONNET=${TICKGUARD_JSONNET}
                   PYTHON=${TICKGUARD_PYTHON3}
                   ${TICKGUARD_BASH} ${TICKGUARD_KUBERNETES_DIR}/tests/check_render.sh
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
endif()
set_tests_properties(Packaging.KubernetesRender PROPERTIES LABELS packaging TIMEOUT 120)

add_test(NAME Packaging.KubernetesConfig
         COMMAND ${TICKGUARD_BASH} ${TICKGUARD_KUBERNETES_DIR}/tests/check_config.sh $<TARGET_FILE:tickguard>)
set_tests_properties(Packaging.KubernetesConfig PROPERTIES LABELS packaging TIMEOUT 60)
