# ANTLR4: the C++ runtime from Debian, the tool through the /usr/bin/antlr4 wrapper.
# The generated parser lives in the build tree only (never committed).
find_package(antlr4-runtime 4.9 CONFIG REQUIRED)
find_program(ANTLR4_TOOL antlr4 REQUIRED)

# Debian's antlr4_shared target has no include directories: wrap it.
add_library(proviso_antlr_runtime INTERFACE)
target_include_directories(proviso_antlr_runtime SYSTEM INTERFACE ${ANTLR4_INCLUDE_DIR})
target_link_libraries(proviso_antlr_runtime INTERFACE antlr4_shared)
target_compile_options(proviso_antlr_runtime INTERFACE -Wno-attributes)

set(PROVISO_GRAMMAR ${PROJECT_SOURCE_DIR}/grammar/Proviso.g4)
set(PROVISO_ANTLR_OUT ${PROJECT_BINARY_DIR}/antlr)
set(PROVISO_ANTLR_SOURCES
  ${PROVISO_ANTLR_OUT}/ProvisoLexer.cpp
  ${PROVISO_ANTLR_OUT}/ProvisoParser.cpp
  ${PROVISO_ANTLR_OUT}/ProvisoVisitor.cpp
  ${PROVISO_ANTLR_OUT}/ProvisoBaseVisitor.cpp
  ${PROVISO_ANTLR_OUT}/ProvisoLexer.h
  ${PROVISO_ANTLR_OUT}/ProvisoParser.h
  ${PROVISO_ANTLR_OUT}/ProvisoVisitor.h
  ${PROVISO_ANTLR_OUT}/ProvisoBaseVisitor.h)
