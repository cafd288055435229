resource "vpcep_service" "api" {
  server_type = "LB"
  port_id     = "port-api"
  vpc_id      = "vpc-1"

  port {
    server_port = 1000
    client_port = 1000
  }
  port {
    server_port = 1001
    client_port = 1001
  }
  port {
    server_port = 1002
    client_port = 1002
  }
  port {
    server_port = 1003
    client_port = 1003
  }
  port {
    server_port = 1004
    client_port = 1004
  }
  port {
    server_port = 1005
    client_port = 1005
  }
  port {
    server_port = 1006
    client_port = 1006
  }
  port {
    server_port = 1007
    client_port = 1007
  }
  port {
    server_port = 1008
    client_port = 1008
  }
  port {
    server_port = 1009
    client_port = 1009
  }
  port {
    server_port = 1010
    client_port = 1010
  }
  port {
    server_port = 1011
    client_port = 1011
  }
  port {
    server_port = 1012
    client_port = 1012
  }
  port {
    server_port = 1013
    client_port = 1013
  }
  port {
    server_port = 1014
    client_port = 1014
  }
  port {
    server_port = 1015
    client_port = 1015
  }
  port {
    server_port = 1016
    client_port = 1016
  }
  port {
    server_port = 1017
    client_port = 1017
  }
  port {
    server_port = 1018
    client_port = 1018
  }
  port {
    server_port = 1019
    client_port = 1019
  }
  port {
    server_port = 1020
    client_port = 1020
  }
  port {
    server_port = 1021
    client_port = 1021
  }
  port {
    server_port = 1022
    client_port = 1022
  }
  port {
    server_port = 1023
    client_port = 1023
  }
  port {
    server_port = 1024
    client_port = 1024
  }
  port {
    server_port = 1025
    client_port = 1025
  }
  port {
    server_port = 1026
    client_port = 1026
  }
  port {
    server_port = 1027
    client_port = 1027
  }
  port {
    server_port = 1028
    client_port = 1028
  }
  port {
    server_port = 1029
    client_port = 1029
  }
  port {
    server_port = 1030
    client_port = 1030
  }
  port {
    server_port = 1031
    client_port = 1031
  }
  port {
    server_port = 1032
    client_port = 1032
  }
  port {
    server_port = 1033
    client_port = 1033
  }
  port {
    server_port = 1034
    client_port = 1034
  }
  port {
    server_port = 1035
    client_port = 1035
  }
  port {
    server_port = 1036
    client_port = 1036
  }
  port {
    server_port = 1037
    client_port = 1037
  }
  port {
    server_port = 1038
    client_port = 1038
  }
  port {
    server_port = 1039
    client_port = 1039
  }
  port {
    server_port = 1040
    client_port = 1040
  }
  port {
    server_port = 1041
    client_port = 1041
  }
  port {
    server_port = 1042
    client_port = 1042
  }
  port {
    server_port = 1043
    client_port = 1043
  }
  port {
    server_port = 1044
    client_port = 1044
  }
  port {
    server_port = 1045
    client_port = 1045
  }
  port {
    server_port = 1046
    client_port = 1046
  }
  port {
    server_port = 1047
    client_port = 1047
  }
  port {
    server_port = 1048
    client_port = 1048
  }
  port {
    server_port = 1049
    client_port = 1049
  }
  port {
    server_port = 1050
    client_port = 1050
  }
  port {
    server_port = 1051
    client_port = 1051
  }
  port {
    server_port = 1052
    client_port = 1052
  }
  port {
    server_port = 1053
    client_port = 1053
  }
  port {
    server_port = 1054
    client_port = 1054
  }
  port {
    server_port = 1055
    client_port = 1055
  }
  port {
    server_port = 1056
    client_port = 1056
  }
  port {
    server_port = 1057
    client_port = 1057
  }
  port {
    server_port = 1058
    client_port = 1058
  }
  port {
    server_port = 1059
    client_port = 1059
  }
  port {
    server_port = 1060
    client_port = 1060
  }
  port {
    server_port = 1061
    client_port = 1061
  }
  port {
    server_port = 1062
    client_port = 1062
  }
  port {
    server_port = 1063
    client_port = 1063
  }
  port {
    server_port = 1064
    client_port = 1064
  }
  port {
    server_port = 1065
    client_port = 1065
  }
  port {
    server_port = 1066
    client_port = 1066
  }
  port {
    server_port = 1067
    client_port = 1067
  }
  port {
    server_port = 1068
    client_port = 1068
  }
  port {
    server_port = 1069
    client_port = 1069
  }
  port {
    server_port = 1070
    client_port = 1070
  }
  port {
    server_port = 1071
    client_port = 1071
  }
  port {
    server_port = 1072
    client_port = 1072
  }
  port {
    server_port = 1073
    client_port = 1073
  }
  port {
    server_port = 1074
    client_port = 1074
  }
  port {
    server_port = 1075
    client_port = 1075
  }
  port {
    server_port = 1076
    client_port = 1076
  }
  port {
    server_port = 1077
    client_port = 1077
  }
  port {
    server_port = 1078
    client_port = 1078
  }
  port {
    server_port = 1079
    client_port = 1079
  }
  port {
    server_port = 1080
    client_port = 1080
  }
  port {
    server_port = 1081
    client_port = 1081
  }
  port {
    server_port = 1082
    client_port = 1082
  }
  port {
    server_port = 1083
    client_port = 1083
  }
  port {
    server_port = 1084
    client_port = 1084
  }
  port {
    server_port = 1085
    client_port = 1085
  }
  port {
    server_port = 1086
    client_port = 1086
  }
  port {
    server_port = 1087
    client_port = 1087
  }
  port {
    server_port = 1088
    client_port = 1088
  }
  port {
    server_port = 1089
    client_port = 1089
  }
  port {
    server_port = 1090
    client_port = 1090
  }
  port {
    server_port = 1091
    client_port = 1091
  }
  port {
    server_port = 1092
    client_port = 1092
  }
  port {
    server_port = 1093
    client_port = 1093
  }
  port {
    server_port = 1094
    client_port = 1094
  }
  port {
    server_port = 1095
    client_port = 1095
  }
  port {
    server_port = 1096
    client_port = 1096
  }
  port {
    server_port = 1097
    client_port = 1097
  }
  port {
    server_port = 1098
    client_port = 1098
  }
  port {
    server_port = 1099
    client_port = 1099
  }
  port {
    server_port = 1100
    client_port = 1100
  }
  port {
    server_port = 1101
    client_port = 1101
  }
  port {
    server_port = 1102
    client_port = 1102
  }
  port {
    server_port = 1103
    client_port = 1103
  }
  port {
    server_port = 1104
    client_port = 1104
  }
  port {
    server_port = 1105
    client_port = 1105
  }
  port {
    server_port = 1106
    client_port = 1106
  }
  port {
    server_port = 1107
    client_port = 1107
  }
  port {
    server_port = 1108
    client_port = 1108
  }
  port {
    server_port = 1109
    client_port = 1109
  }
  port {
    server_port = 1110
    client_port = 1110
  }
  port {
    server_port = 1111
    client_port = 1111
  }
  port {
    server_port = 1112
    client_port = 1112
  }
  port {
    server_port = 1113
    client_port = 1113
  }
  port {
    server_port = 1114
    client_port = 1114
  }
  port {
    server_port = 1115
    client_port = 1115
  }
  port {
    server_port = 1116
    client_port = 1116
  }
  port {
    server_port = 1117
    client_port = 1117
  }
  port {
    server_port = 1118
    client_port = 1118
  }
  port {
    server_port = 1119
    client_port = 1119
  }
  port {
    server_port = 1120
    client_port = 1120
  }
  port {
    server_port = 1121
    client_port = 1121
  }
  port {
    server_port = 1122
    client_port = 1122
  }
  port {
    server_port = 1123
    client_port = 1123
  }
  port {
    server_port = 1124
    client_port = 1124
  }
  port {
    server_port = 1125
    client_port = 1125
  }
  port {
    server_port = 1126
    client_port = 1126
  }
  port {
    server_port = 1127
    client_port = 1127
  }
  port {
    server_port = 1128
    client_port = 1128
  }
  port {
    server_port = 1129
    client_port = 1129
  }
  port {
    server_port = 1130
    client_port = 1130
  }
  port {
    server_port = 1131
    client_port = 1131
  }
  port {
    server_port = 1132
    client_port = 1132
  }
  port {
    server_port = 1133
    client_port = 1133
  }
  port {
    server_port = 1134
    client_port = 1134
  }
  port {
    server_port = 1135
    client_port = 1135
  }
  port {
    server_port = 1136
    client_port = 1136
  }
  port {
    server_port = 1137
    client_port = 1137
  }
  port {
    server_port = 1138
    client_port = 1138
  }
  port {
    server_port = 1139
    client_port = 1139
  }
  port {
    server_port = 1140
    client_port = 1140
  }
  port {
    server_port = 1141
    client_port = 1141
  }
  port {
    server_port = 1142
    client_port = 1142
  }
  port {
    server_port = 1143
    client_port = 1143
  }
  port {
    server_port = 1144
    client_port = 1144
  }
  port {
    server_port = 1145
    client_port = 1145
  }
  port {
    server_port = 1146
    client_port = 1146
  }
  port {
    server_port = 1147
    client_port = 1147
  }
  port {
    server_port = 1148
    client_port = 1148
  }
  port {
    server_port = 1149
    client_port = 1149
  }
  port {
    server_port = 1150
    client_port = 1150
  }
  port {
    server_port = 1151
    client_port = 1151
  }
  port {
    server_port = 1152
    client_port = 1152
  }
  port {
    server_port = 1153
    client_port = 1153
  }
  port {
    server_port = 1154
    client_port = 1154
  }
  port {
    server_port = 1155
    client_port = 1155
  }
  port {
    server_port = 1156
    client_port = 1156
  }
  port {
    server_port = 1157
    client_port = 1157
  }
  port {
    server_port = 1158
    client_port = 1158
  }
  port {
    server_port = 1159
    client_port = 1159
  }
  port {
    server_port = 1160
    client_port = 1160
  }
  port {
    server_port = 1161
    client_port = 1161
  }
  port {
    server_port = 1162
    client_port = 1162
  }
  port {
    server_port = 1163
    client_port = 1163
  }
  port {
    server_port = 1164
    client_port = 1164
  }
  port {
    server_port = 1165
    client_port = 1165
  }
  port {
    server_port = 1166
    client_port = 1166
  }
  port {
    server_port = 1167
    client_port = 1167
  }
  port {
    server_port = 1168
    client_port = 1168
  }
  port {
    server_port = 1169
    client_port = 1169
  }
  port {
    server_port = 1170
    client_port = 1170
  }
  port {
    server_port = 1171
    client_port = 1171
  }
  port {
    server_port = 1172
    client_port = 1172
  }
  port {
    server_port = 1173
    client_port = 1173
  }
  port {
    server_port = 1174
    client_port = 1174
  }
  port {
    server_port = 1175
    client_port = 1175
  }
  port {
    server_port = 1176
    client_port = 1176
  }
  port {
    server_port = 1177
    client_port = 1177
  }
  port {
    server_port = 1178
    client_port = 1178
  }
  port {
    server_port = 1179
    client_port = 1179
  }
  port {
    server_port = 1180
    client_port = 1180
  }
  port {
    server_port = 1181
    client_port = 1181
  }
  port {
    server_port = 1182
    client_port = 1182
  }
  port {
    server_port = 1183
    client_port = 1183
  }
  port {
    server_port = 1184
    client_port = 1184
  }
  port {
    server_port = 1185
    client_port = 1185
  }
  port {
    server_port = 1186
    client_port = 1186
  }
  port {
    server_port = 1187
    client_port = 1187
  }
  port {
    server_port = 1188
    client_port = 1188
  }
  port {
    server_port = 1189
    client_port = 1189
  }
  port {
    server_port = 1190
    client_port = 1190
  }
  port {
    server_port = 1191
    client_port = 1191
  }
  port {
    server_port = 1192
    client_port = 1192
  }
  port {
    server_port = 1193
    client_port = 1193
  }
  port {
    server_port = 1194
    client_port = 1194
  }
  port {
    server_port = 1195
    client_port = 1195
  }
  port {
    server_port = 1196
    client_port = 1196
  }
  port {
    server_port = 1197
    client_port = 1197
  }
  port {
    server_port = 1198
    client_port = 1198
  }
  port {
    server_port = 1199
    client_port = 1199
  }
  port {
    server_port = 1200
    client_port = 1200
  }
}
