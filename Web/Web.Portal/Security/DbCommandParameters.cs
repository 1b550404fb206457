using System.Data.Common;

namespace Caas.Web.Portal.Security;

/// <summary>Named parameters on any ADO.NET engine (SQLite's and Npgsql's AddWithValue live on their own types).</summary>
internal static class DbCommandParameters
{
    public static void Set(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
