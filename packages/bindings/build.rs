//! Builds the kernel library with its own CMakeLists.txt (the one build
//! description of the C code) and links it statically.

fn main() {
  napi_build::setup();

  let kernel = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kernel");
  let dst = cmake::Config::new(&kernel)
    .define("CMAKE_BUILD_TYPE", "Release")
    .define("BPFHOST_BUILD_TESTS", "OFF")
    .define("BPFHOST_WERROR", "OFF")
    .build();
  println!("cargo:rustc-link-search=native={}/lib", dst.display());
  println!("cargo:rustc-link-lib=static=bpfhost");
  println!("cargo:rustc-link-lib=dylib=pthread");
  println!("cargo:rustc-link-lib=dylib=dl");
  for dir in ["src", "include", "tools", "CMakeLists.txt"] {
    println!("cargo:rerun-if-changed={}", kernel.join(dir).display());
  }
}
