//! Evaluates a Proviso policy from Rust through the C ABI (proviso/proviso_c.h, libproviso).
//! Run by ctest (capi/rust): `cargo run -- POLICY FACTS_JSON AS_OF` prints the decision's JSON, or
//! the error's status, path and message (exit 1).
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::ptr;

#[repr(C)]
struct ProvisoError {
    status: c_int,
    message: *mut c_char,
    path: *mut c_char,
}

#[repr(C)]
struct ProvisoPolicy {
    _private: [u8; 0],
}

const PROVISO_OK: c_int = 0;
const PROVISO_BACKEND_JIT: c_int = 0;

extern "C" {
    fn proviso_compile_file(path: *const c_char, backend: c_int, policy: *mut *mut ProvisoPolicy,
                            error: *mut *mut ProvisoError) -> c_int;
    fn proviso_evaluate_json(policy: *const ProvisoPolicy, facts: *const c_char, as_of: *const c_char,
                             decision: *mut *mut c_char, error: *mut *mut ProvisoError) -> c_int;
    fn proviso_policy_free(policy: *mut ProvisoPolicy);
    fn proviso_string_free(s: *mut c_char);
    fn proviso_error_free(error: *mut ProvisoError);
}

/// A policy compiled through the C ABI, freed on drop.
struct Policy(*mut ProvisoPolicy);

impl Drop for Policy {
    fn drop(&mut self) {
        unsafe { proviso_policy_free(self.0) }
    }
}

/// The error as text (and frees it).
unsafe fn error_text(status: c_int, e: *mut ProvisoError) -> String {
    if e.is_null() {
        return format!("proviso: status {status}");
    }
    let text = format!("proviso: status {status}, path {:?}: {}",
                       CStr::from_ptr((*e).path).to_string_lossy(), CStr::from_ptr((*e).message).to_string_lossy());
    proviso_error_free(e);
    text
}

fn compile(path: &str) -> Result<Policy, String> {
    let c_path = CString::new(path).map_err(|e| e.to_string())?;
    let mut policy = ptr::null_mut();
    let mut error = ptr::null_mut();
    let status = unsafe { proviso_compile_file(c_path.as_ptr(), PROVISO_BACKEND_JIT, &mut policy, &mut error) };
    if status != PROVISO_OK {
        return Err(unsafe { error_text(status, error) });
    }
    Ok(Policy(policy))
}

fn evaluate(policy: &Policy, facts: &str, as_of: &str) -> Result<String, String> {
    let c_facts = CString::new(facts).map_err(|e| e.to_string())?;
    let c_as_of = CString::new(as_of).map_err(|e| e.to_string())?;
    let mut decision = ptr::null_mut();
    let mut error = ptr::null_mut();
    let status = unsafe { proviso_evaluate_json(policy.0, c_facts.as_ptr(), c_as_of.as_ptr(), &mut decision, &mut error) };
    if status != PROVISO_OK {
        return Err(unsafe { error_text(status, error) });
    }
    let text = unsafe { CStr::from_ptr(decision).to_string_lossy().into_owned() };
    unsafe { proviso_string_free(decision) };
    Ok(text)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: proviso-rust POLICY FACTS_JSON AS_OF");
        std::process::exit(2);
    }
    match compile(&args[1]).and_then(|p| evaluate(&p, &args[2], &args[3])) {
        Ok(decision) => println!("{decision}"),
        Err(e) => {
            println!("{e}");
            std::process::exit(1);
        }
    }
}
