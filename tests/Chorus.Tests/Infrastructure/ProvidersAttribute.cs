using System.Reflection;
using Xunit.Sdk;

namespace Chorus.Tests.Infrastructure;

/// Runs a theory once per database provider: SQLite always, PostgreSQL when TEST_PG is set and
/// always under CI=true (where a missing server must fail, not skip).
public sealed class ProvidersAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [Provider.Sqlite];
        if (TestEnv.Get("TEST_PG") is not null || TestEnv.IsCi) yield return [Provider.Postgres];
    }
}
