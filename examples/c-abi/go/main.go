// Evaluates a Proviso policy from Go through the C ABI (cgo): proviso/proviso_c.h, libproviso.
// Run by ctest (capi/go): go run . POLICY FACTS_JSON AS_OF, with CGO_CFLAGS naming the headers
// and CGO_LDFLAGS the library; prints the decision's JSON, or the error's status, path and message.
package main

/*
#cgo LDFLAGS: -lproviso
#include <stdlib.h>
#include "proviso/proviso_c.h"
*/
import "C"

import (
	"fmt"
	"os"
	"unsafe"
)

// provisoError turns a C error into a Go error (and frees it).
func provisoError(status C.proviso_status, e *C.proviso_error) error {
	defer C.proviso_error_free(e)
	if e == nil {
		return fmt.Errorf("proviso: status %d", int(status))
	}
	return fmt.Errorf("proviso: status %d, path %q: %s", int(status), C.GoString(e.path), C.GoString(e.message))
}

func evaluate(policyPath, facts, asOf string) (string, error) {
	cPath := C.CString(policyPath)
	defer C.free(unsafe.Pointer(cPath))
	var policy *C.proviso_policy
	var cErr *C.proviso_error
	if st := C.proviso_compile_file(cPath, C.PROVISO_BACKEND_JIT, &policy, &cErr); st != C.PROVISO_OK {
		return "", provisoError(st, cErr)
	}
	defer C.proviso_policy_free(policy)
	cFacts := C.CString(facts)
	defer C.free(unsafe.Pointer(cFacts))
	cAsOf := C.CString(asOf)
	defer C.free(unsafe.Pointer(cAsOf))
	var decision *C.char
	if st := C.proviso_evaluate_json(policy, cFacts, cAsOf, &decision, &cErr); st != C.PROVISO_OK {
		return "", provisoError(st, cErr)
	}
	defer C.proviso_string_free(decision)
	return C.GoString(decision), nil
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: proviso-go POLICY FACTS_JSON AS_OF")
		os.Exit(2)
	}
	decision, err := evaluate(os.Args[1], os.Args[2], os.Args[3])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(decision)
}
