{
  "targets": [
    {
      "target_name": "file_mapping",
      "sources": ["native/file-mapping.c"],
      "cflags": ["-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra"]
    }
  ]
}
