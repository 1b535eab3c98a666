using System.Reflection;
using Xunit.Sdk;

namespace Chorus.Tests.Infrastructure;

/// Runs a theory once per database provider: SQLite and PostgreSQL (the server TEST_PG names,
/// which test.sh starts): without it the PostgreSQL rows fail, naming it, rather than vanish.
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [Provider.Sqlite];
        yield return [Provider.Postgres]; // without TEST_PG (test.sh sets it) these rows fail, naming it
    }
}
