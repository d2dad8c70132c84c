// Links libproviso (the C ABI) from the folder PROVISO_LIB_DIR names, with an rpath to it.
fn main() {
    println!("cargo:rerun-if-env-changed=PROVISO_LIB_DIR");
    let dir = std::env::var("PROVISO_LIB_DIR").expect("set PROVISO_LIB_DIR to the folder of libproviso.so");
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=proviso");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
}
