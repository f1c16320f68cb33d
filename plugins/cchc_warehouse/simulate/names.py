"""Vietnamese text for the simulator: places, agencies, fields, procedures, people, subjects.

Sóc Trăng names are real where we know them (districts, departments, many communes); the rest is
plausible. Every string is NFC; the defect layer decomposes some of them on purpose.
"""

from __future__ import annotations

# (key, name, kind, admin code, communes) — Sóc Trăng's eleven district-level units (2021)
DISTRICTS: tuple[tuple[str, str, str, str, int], ...] = (
    ("TPST", "Sóc Trăng", "thành phố", "941", 10),
    ("CT", "Châu Thành", "huyện", "942", 8),
    ("KS", "Kế Sách", "huyện", "943", 13),
    ("MT", "Mỹ Tú", "huyện", "944", 9),
    ("CLD", "Cù Lao Dung", "huyện", "945", 8),
    ("LP", "Long Phú", "huyện", "946", 11),
    ("MX", "Mỹ Xuyên", "huyện", "947", 11),
    ("NN", "Ngã Năm", "thị xã", "948", 8),
    ("TT", "Thạnh Trị", "huyện", "949", 10),
    ("VC", "Vĩnh Châu", "thị xã", "950", 10),
    ("TD", "Trần Đề", "huyện", "951", 11),
)

# commune names by district key; `P.` = ward (phường), `TT.` = town (thị trấn), else xã
COMMUNES: dict[str, tuple[str, ...]] = {
    "TPST": tuple(f"P.{i}" for i in range(1, 11)),
    "CT": ("TT.Châu Thành", "An Hiệp", "An Ninh", "Phú Tâm", "Phú Tân", "Thuận Hòa",
           "Hồ Đắc Kiện", "Thiện Mỹ"),
    "KS": ("TT.Kế Sách", "TT.An Lạc Thôn", "An Lạc Tây", "Xuân Hòa", "Trinh Phú", "Ba Trinh",
           "Thới An Hội", "Nhơn Mỹ", "Kế Thành", "Kế An", "Đại Hải", "Phong Nẫm", "An Mỹ"),
    "MT": ("TT.Huỳnh Hữu Nghĩa", "Long Hưng", "Mỹ Hương", "Mỹ Thuận", "Mỹ Phước", "Mỹ Tú",
           "Phú Mỹ", "Hưng Phú", "Thuận Hưng"),
    "CLD": ("TT.Cù Lao Dung", "An Thạnh 1", "An Thạnh 2", "An Thạnh 3", "An Thạnh Tây",
            "An Thạnh Đông", "An Thạnh Nam", "Đại Ân 1"),
    "LP": ("TT.Long Phú", "TT.Đại Ngãi", "Song Phụng", "Long Đức", "Trường Khánh", "Phú Hữu",
           "Tân Hưng", "Châu Khánh", "Tân Thạnh", "Long Phú", "Hậu Thạnh"),
    "MX": ("TT.Mỹ Xuyên", "Đại Tâm", "Tham Đôn", "Thạnh Phú", "Ngọc Đông", "Thạnh Quới",
           "Hòa Tú 1", "Hòa Tú 2", "Gia Hòa 1", "Gia Hòa 2", "Ngọc Tố"),
    "NN": ("P.1", "P.2", "P.3", "Vĩnh Quới", "Tân Long", "Long Bình", "Mỹ Quới", "Mỹ Bình"),
    "TT": ("TT.Phú Lộc", "TT.Hưng Lợi", "Lâm Tân", "Thạnh Tân", "Lâm Kiết", "Tuân Tức",
           "Vĩnh Thành", "Thạnh Trị", "Vĩnh Lợi", "Châu Hưng"),
    "VC": ("P.1", "P.2", "P.Khánh Hòa", "P.Vĩnh Phước", "Vĩnh Hải", "Lạc Hòa", "Vĩnh Hiệp",
           "Hòa Đông", "Vĩnh Tân", "Lai Hòa"),
    "TD": ("TT.Trần Đề", "TT.Lịch Hội Thượng", "Lịch Hội Thượng", "Đại Ân 2", "Liêu Tú",
           "Viên Bình", "Viên An", "Thạnh Thới An", "Tài Văn", "Thạnh Thới Thuận", "Trung Bình"),
}  # fmt: skip

# names for the communes and wards formed by the 2025 merger (plausible)
NEW_COMMUNES: tuple[str, ...] = (
    "Phú Lợi", "Sóc Trăng", "Mỹ Xuyên", "Khánh Hòa", "Vĩnh Châu", "Vĩnh Phước", "Ngã Năm",
    "Mỹ Quới", "Kế Sách", "An Lạc Thôn", "Thới An Hội", "Đại Hải", "Châu Thành", "Thuận Hòa",
    "Phú Tâm", "Mỹ Tú", "Long Hưng", "Mỹ Hương", "Cù Lao Dung", "An Thạnh", "Long Phú",
    "Đại Ngãi", "Trường Khánh", "Trần Đề", "Lịch Hội Thượng", "Tài Văn", "Liêu Tú", "Ngọc Tố",
    "Hòa Tú", "Gia Hòa", "Thạnh Trị", "Phú Lộc", "Lâm Tân", "Vĩnh Lợi", "Hồ Đắc Kiện",
    "Nhơn Mỹ", "Tân Thạnh", "Tân Long", "Lai Hòa", "Vĩnh Hải",
)  # fmt: skip

# Ministries own the national fields (lĩnh vực): key -> (field code prefix, fields)
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "BNV": ("BNV", ("Tổ chức bộ máy", "Công chức, viên chức", "Thi đua, khen thưởng",
                    "Tín ngưỡng, tôn giáo", "Văn thư, lưu trữ")),
    "BTP": ("BTP", ("Hộ tịch", "Chứng thực", "Lý lịch tư pháp", "Luật sư", "Công chứng",
                    "Bồi thường nhà nước", "Hòa giải ở cơ sở", "Nuôi con nuôi")),
    "BKHDT": ("BKHĐT", ("Thành lập và hoạt động của doanh nghiệp", "Đầu tư tại Việt Nam",
                        "Thành lập và hoạt động của hợp tác xã", "Đấu thầu")),
    "BTC": ("BTC", ("Quản lý công sản", "Tin học, thống kê", "Quản lý giá")),
    "BCT": ("BCT", ("Lưu thông hàng hóa trong nước", "An toàn thực phẩm", "Điện", "Hóa chất",
                    "Xúc tiến thương mại")),
    "BNNPTNT": ("BNN", ("Thú y", "Trồng trọt", "Bảo vệ thực vật", "Thủy sản", "Lâm nghiệp",
                        "Thủy lợi", "Phát triển nông thôn")),
    "BGTVT": ("BGTVT", ("Đường bộ", "Đường thủy nội địa")),
    "BXD": ("BXD", ("Hoạt động xây dựng", "Quy hoạch xây dựng", "Nhà ở",
                    "Kinh doanh bất động sản")),
    "BTNMT": ("BTNMT", ("Đất đai", "Môi trường", "Tài nguyên nước", "Khoáng sản",
                        "Đo đạc, bản đồ")),
    "BTTTT": ("BTTTT", ("Báo chí", "Xuất bản, in và phát hành",
                        "Phát thanh, truyền hình và thông tin điện tử", "Bưu chính")),
    "BLDTBXH": ("BLĐTBXH", ("Việc làm", "Người có công", "Bảo trợ xã hội",
                            "Giáo dục nghề nghiệp", "Trẻ em", "An toàn, vệ sinh lao động")),
    "BVHTTDL": ("BVHTTDL", ("Văn hóa cơ sở", "Di sản văn hóa", "Thể dục, thể thao", "Du lịch",
                            "Gia đình")),
    "BKHCN": ("BKHCN", ("Hoạt động khoa học và công nghệ", "Tiêu chuẩn, đo lường, chất lượng",
                        "Sở hữu trí tuệ")),
    "BGDDT": ("BGDĐT", ("Giáo dục và đào tạo", "Văn bằng, chứng chỉ", "Thi, tuyển sinh")),
    "BYT": ("BYT", ("Khám bệnh, chữa bệnh", "Dược phẩm", "Y tế dự phòng",
                    "An toàn thực phẩm và dinh dưỡng", "Trang thiết bị y tế")),
    "TTCP": ("TTCP", ("Giải quyết khiếu nại", "Giải quyết tố cáo", "Tiếp công dân")),
    "UBDT": ("UBDT", ("Công tác dân tộc",)),
    "KCN": ("BQL", ("Quản lý khu công nghiệp",)),
}  # fmt: skip

# (key, name, abbreviation, ministries, dossier weight, document weight, 2025 successor key)
DEPARTMENTS: tuple[tuple[str, str, str, tuple[str, ...], float, float, str], ...] = (
    ("NV", "Sở Nội vụ", "SNV", ("BNV",), 1.5, 1.3, "NV"),
    ("TP", "Sở Tư pháp", "STP", ("BTP",), 10.0, 1.0, "TP"),
    ("KHDT", "Sở Kế hoạch và Đầu tư", "SKHĐT", ("BKHDT",), 12.0, 1.2, "TC"),
    ("TC", "Sở Tài chính", "STC", ("BTC",), 1.0, 1.4, "TC"),
    ("CT", "Sở Công Thương", "SCT", ("BCT",), 4.0, 1.0, "CT"),
    ("NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", "SNNPTNT", ("BNNPTNT",), 3.0, 1.3,
     "NNMT"),
    ("GTVT", "Sở Giao thông vận tải", "SGTVT", ("BGTVT",), 25.0, 1.0, "XD"),
    ("XD", "Sở Xây dựng", "SXD", ("BXD",), 3.0, 0.9, "XD"),
    ("TNMT", "Sở Tài nguyên và Môi trường", "STNMT", ("BTNMT",), 10.0, 1.3, "NNMT"),
    ("TTTT", "Sở Thông tin và Truyền thông", "STTTT", ("BTTTT",), 0.1, 0.8, "KHCN"),
    ("LDTBXH", "Sở Lao động - Thương binh và Xã hội", "SLĐTBXH", ("BLDTBXH",), 8.0, 1.2, "NV"),
    ("VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", ("BVHTTDL",), 1.5, 1.0, "VHTTDL"),
    ("KHCN", "Sở Khoa học và Công nghệ", "SKHCN", ("BKHCN",), 0.5, 0.7, "KHCN"),
    ("GDDT", "Sở Giáo dục và Đào tạo", "SGDĐT", ("BGDDT",), 2.0, 1.5, "GDDT"),
    ("YT", "Sở Y tế", "SYT", ("BYT",), 5.0, 1.4, "YT"),
    ("TTR", "Thanh tra tỉnh", "TTr", ("TTCP",), 0.2, 0.8, "TTR"),
    ("BDT", "Ban Dân tộc", "BDT", ("UBDT",), 0.1, 0.6, "DTTG"),
    ("KCN", "Ban Quản lý các khu công nghiệp", "BQLCKCN", ("KCN",), 1.0, 0.6, "KCN"),
)  # fmt: skip

# the merged city's departments after 1 July 2025 (key -> name, abbreviation)
NEW_DEPARTMENTS: dict[str, tuple[str, str]] = {
    "NV": ("Sở Nội vụ", "SNV"),
    "TP": ("Sở Tư pháp", "STP"),
    "TC": ("Sở Tài chính", "STC"),
    "CT": ("Sở Công Thương", "SCT"),
    "NNMT": ("Sở Nông nghiệp và Môi trường", "SNNMT"),
    "XD": ("Sở Xây dựng", "SXD"),
    "KHCN": ("Sở Khoa học và Công nghệ", "SKHCN"),
    "VHTTDL": ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    "GDDT": ("Sở Giáo dục và Đào tạo", "SGDĐT"),
    "YT": ("Sở Y tế", "SYT"),
    "TTR": ("Thanh tra thành phố", "TTr"),
    "DTTG": ("Sở Dân tộc và Tôn giáo", "SDTTG"),
    "KCN": ("Ban Quản lý các khu chế xuất và công nghiệp", "BQLKCX&CN"),
}

# fields at district and commune level (ministry key, field index)
DISTRICT_FIELDS: tuple[tuple[str, int], ...] = (
    ("BTP", 0), ("BTP", 1), ("BTNMT", 0), ("BTNMT", 1), ("BXD", 0), ("BKHDT", 2),
    ("BLDTBXH", 1), ("BLDTBXH", 2), ("BGDDT", 0), ("BVHTTDL", 0), ("BNV", 2), ("BNV", 3),
    ("BCT", 0), ("TTCP", 0), ("BNNPTNT", 1), ("BKHDT", 0),
)  # fmt: skip
COMMUNE_FIELDS: tuple[tuple[str, int], ...] = (
    ("BTP", 0), ("BTP", 1), ("BLDTBXH", 2), ("BLDTBXH", 1), ("BTNMT", 0), ("BVHTTDL", 0),
    ("BNV", 2), ("BNV", 3), ("TTCP", 0), ("BNNPTNT", 1), ("BTP", 6),
)  # fmt: skip
PROVINCE_OFFICE_FIELDS: tuple[tuple[str, int], ...] = (("TTCP", 2), ("BNV", 2), ("TTCP", 0))

# hand-written headline procedures: the ones that carry most of the volume at each level
HEADLINE: dict[str, tuple[tuple[str, int, str], ...]] = {
    # (name, ThoiHanNgay (-1: no deadline), (ministry, field index) as "MIN:i")
    "XA": (
        ("Chứng thực bản sao từ bản chính giấy tờ, văn bản", 0, "BTP:1"),
        ("Đăng ký khai sinh", 0, "BTP:0"),
        ("Chứng thực chữ ký trong các giấy tờ, văn bản", 0, "BTP:1"),
        ("Cấp giấy xác nhận tình trạng hôn nhân", 3, "BTP:0"),
        ("Đăng ký khai tử", 1, "BTP:0"),
        ("Đăng ký kết hôn", 1, "BTP:0"),
        ("Cấp bản sao trích lục hộ tịch", 0, "BTP:0"),
        ("Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản", 2, "BTP:1"),
        ("Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", 3, "BTP:0"),
        ("Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình", 5, "BLDTBXH:2"),
    ),
    "HUYEN": (
        (
            "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
            10,
            "BTNMT:0",
        ),
        ("Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất", 1, "BTNMT:0"),
        ("Cấp giấy chứng nhận quyền sử dụng đất lần đầu", 30, "BTNMT:0"),
        ("Đăng ký thành lập hộ kinh doanh", 3, "BKHDT:0"),
        ("Cấp giấy phép xây dựng nhà ở riêng lẻ", 15, "BXD:0"),
        ("Chứng thực bản sao từ bản chính giấy tờ do cơ quan nước ngoài cấp", 0, "BTP:1"),
        ("Xóa đăng ký thế chấp quyền sử dụng đất", 1, "BTNMT:0"),
        ("Cấp đổi giấy chứng nhận quyền sử dụng đất", 7, "BTNMT:0"),
        ("Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng", 15, "BLDTBXH:2"),
        ("Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước", 15, "BTNMT:0"),
    ),
    "TINH": (
        ("Đổi giấy phép lái xe do ngành Giao thông vận tải cấp", 5, "BGTVT:0"),
        ("Đăng ký thành lập doanh nghiệp tư nhân", 3, "BKHDT:0"),
        ("Cấp phiếu lý lịch tư pháp cho công dân Việt Nam", 10, "BTP:2"),
        ("Đăng ký thay đổi nội dung đăng ký doanh nghiệp", 3, "BKHDT:0"),
        ("Cấp lại giấy phép lái xe", 5, "BGTVT:0"),
        ("Đăng ký biến động đất đai đối với tổ chức", 10, "BTNMT:0"),
        ("Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", 20, "BYT:0"),
        ("Giải quyết hưởng trợ cấp thất nghiệp", 20, "BLDTBXH:0"),
        ("Cấp giấy phép lao động cho người lao động nước ngoài", 5, "BLDTBXH:0"),
        ("Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", 20, "BCT:1"),
    ),
}

ACTIONS = (
    "Cấp", "Cấp lại", "Cấp đổi", "Điều chỉnh", "Gia hạn", "Thu hồi", "Đăng ký", "Công nhận",
    "Thẩm định", "Phê duyệt", "Xác nhận", "Chấp thuận", "Đăng ký thay đổi", "Hủy bỏ",
)  # fmt: skip
OBJECTS = (
    "giấy phép hoạt động", "giấy chứng nhận đủ điều kiện", "chứng chỉ hành nghề",
    "quyết định công nhận", "hồ sơ đề nghị hỗ trợ", "kế hoạch", "phương án", "báo cáo đánh giá",
    "giấy xác nhận", "danh hiệu", "văn bản chấp thuận", "giấy phép",
)  # fmt: skip
QUALIFIERS = (
    "", " cho tổ chức", " cho cá nhân", " có yếu tố nước ngoài", " đối với doanh nghiệp",
    " trường hợp bị mất", " trường hợp bị hư hỏng", " lưu động", " theo yêu cầu",
    " đối với hợp tác xã", " trong khu công nghiệp", " đối với hộ gia đình", " lần đầu",
)  # fmt: skip

SURNAMES = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
    "Ngô", "Dương", "Lý", "Thạch", "Sơn", "Lâm", "Kim", "Danh", "Trương", "Tăng", "Châu", "La",
)  # fmt: skip
SURNAME_WEIGHTS = (
    31, 11, 9, 7, 6, 4, 4, 4, 2, 2, 2, 2, 1.5, 1, 1.5, 3, 3, 2, 1.5, 1.5, 1.5, 1, 1, 0.5,
)  # fmt: skip
MIDDLE_M = ("Văn", "Hữu", "Minh", "Quốc", "Thanh", "Hoàng", "Công", "Đức", "Ngọc", "")
MIDDLE_F = ("Thị", "Ngọc", "Thị Kim", "Thị Thanh", "Thu", "Thị Mỹ", "Hồng", "Bích", "")
GIVEN_M = (
    "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Hiếu", "Nhân", "Phúc", "Quang",
    "Sơn", "Tâm", "Tuấn", "Thành", "Trung", "Vũ", "Lộc", "Tài", "Sang", "Phước", "Khiêm",
    "Sa Rinh", "Thơ", "Đạt", "Nghĩa",
)  # fmt: skip
GIVEN_F = (
    "Lan", "Mai", "Ngọc", "Thảo", "Trang", "Vy", "Yến", "Hương", "Phương", "Hạnh", "Nhung",
    "Thúy", "Diễm", "Kiều", "Loan", "Ánh", "Tuyết", "Sô Phia", "Ly", "Hằng", "Nga",
)  # fmt: skip
COMPANY_KIND = ("Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã")
COMPANY_WORD = (
    "Phú Lợi", "Mekong", "Sóc Trăng Xanh", "Hưng Thịnh", "Tân Phát", "Thành Công", "Đại Phát",
    "Nông sản Miền Tây", "Vĩnh Phúc", "Thuận An", "Hoàng Long", "Gạo ST25", "Tôm Việt",
)  # fmt: skip
ORG_KIND = ("Trường Tiểu học", "Trạm Y tế", "Chùa", "Hội Nông dân", "Đoàn Thanh niên")

# document subjects: (document type, templates)
DOC_TYPES = ("CV", "QD", "KH", "BC", "TB", "TTr", "GM", "CT", "HD")
DOC_TYPE_WEIGHTS = (46, 14, 7, 12, 6, 5, 6, 1, 3)
SUBJECT_VERB = {
    "CV": ("Về việc", "V/v"),
    "QD": ("Quyết định về việc",),
    "KH": ("Kế hoạch",),
    "BC": ("Báo cáo",),
    "TB": ("Thông báo",),
    "TTr": ("Tờ trình về việc",),
    "GM": ("Giấy mời dự",),
    "CT": ("Chỉ thị về việc",),
    "HD": ("Hướng dẫn",),
}
SUBJECT_TOPIC = (
    "triển khai thực hiện cải cách hành chính năm {y}",
    "kết quả giải quyết thủ tục hành chính quý {q} năm {y}",
    "tăng cường kỷ luật, kỷ cương hành chính",
    "đẩy mạnh cung cấp dịch vụ công trực tuyến toàn trình",
    "phòng, chống dịch bệnh trên địa bàn",
    "thực hiện chính sách hỗ trợ người có công",
    "công tác chuyển đổi số năm {y}",
    "tổ chức hội nghị sơ kết 6 tháng đầu năm {y}",
    "rà soát, đơn giản hóa thủ tục hành chính",
    "bảo đảm an toàn thông tin mạng",
    "phân bổ dự toán ngân sách năm {y}",
    "kiểm tra công tác văn thư, lưu trữ",
    "triển khai Đề án 06 về phát triển ứng dụng dữ liệu dân cư",
    "xây dựng nông thôn mới nâng cao",
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "thu ngân sách nhà nước tháng {m} năm {y}",
    "công tác thi đua, khen thưởng năm {y}",
    "tiếp công dân định kỳ tháng {m}",
    "sắp xếp đơn vị hành chính cấp xã",
    "ứng dụng chữ ký số trong gửi nhận văn bản điện tử",
)  # fmt: skip

STEP_NOTES = {
    1: "Đăng ký hồ sơ trực tuyến",
    2: "Tiếp nhận hồ sơ",
    3: "Từ chối tiếp nhận: hồ sơ không đủ thành phần",
    4: "Chuyển xử lý",
    5: "Yêu cầu bổ sung hồ sơ",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Công dân rút hồ sơ",
    8: "Dừng xử lý hồ sơ",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
STATUS_NOTES = {
    "01": "Văn bản đã đến",
    "02": "Từ chối tiếp nhận: văn bản sai thể thức",
    "03": "Đã tiếp nhận, vào sổ văn bản đến",
    "04": "Phân công xử lý",
    "05": "Đang xử lý",
    "06": "Hoàn thành xử lý",
}
RATING_CHANNELS = ("Cổng Dịch vụ công", "Kiosk tại Bộ phận Một cửa", "Zalo", "Tin nhắn SMS")
RATING_LEVELS = ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng")
