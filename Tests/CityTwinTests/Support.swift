import Foundation
import TestSupport

/// The package root (no machine paths in tests).
let packageRoot: URL = packageRootURL

