// Package deps builds the dependencies layer: the project's requirements
// installed for the Lambda platform (not the build machine), vendored
// prebuilt packages copied in, compiled to hash-based bytecode by the
// runtime's Python (when one is found), zipped deterministically and cached on disk
// under a hash of its inputs so an unchanged layer is neither rebuilt nor
// uploaded. It also generates a graphene schema's SDL with Python when the
// project commits none.
//
// Requirements come from requirements.txt (with -r/-c includes, --hash,
// environment markers, index options), or from uv.lock / poetry.lock, read
// with a TOML parser: the packages the project needs at run time on the
// Lambda target (markers evaluated for its Python and architecture, forked
// resolutions resolved, dependency groups and unrequested extras left out;
// see ReadLock), pinned at their locked versions.
//
// The cache lives in ~/.cache/django-serverless/deps/<hash>/ (layer.zip,
// layer.json, the unzipped python/ folder); Options.CacheDir overrides it.
// In GitHub Actions the action runs in a Docker container whose HOME,
// /github/home, is mounted from the runner's ${{ runner.temp }}/_github_home,
// so persist that folder with actions/cache in the calling workflow:
//
//	steps:
//	  - uses: actions/cache@v4
//	    with:
//	      path: ${{ runner.temp }}/_github_home/.cache/django-serverless/deps
//	      key: deps-${{ hashFiles('**/requirements*.txt', '**/uv.lock', '**/poetry.lock', 'vendor/**') }}
//	      restore-keys: deps-
//
// A restored entry is used only when its input hash matches and its zip
// still has the recorded size and sha256; anything else is rebuilt.
package deps
