using System.Runtime.CompilerServices;

namespace Chorus.Tests.Email;

/// Test code parses MIME too, and MimeKit's charset table is per process: run Chorus's module
/// initializer (which registers the code pages) before any test can touch MimeKit.
internal static class MailEncodingsInTests
{
    [ModuleInitializer]
    internal static void Register() => RuntimeHelpers.RunModuleConstructor(typeof(ChorusApp).Module.ModuleHandle);
}
